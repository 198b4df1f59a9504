/** The jvmm command (picocli). */
module io.jvmm.cli {
    requires io.jvmm.machine;
    requires info.picocli;
    requires java.management;
    requires org.slf4j;
    requires ch.qos.logback.classic;
    requires ch.qos.logback.core;

    // picocli builds the command model from the annotated fields by reflection.
    opens io.jvmm.cli to info.picocli;
    provides ch.qos.logback.classic.spi.Configurator with io.jvmm.cli.LogConfigurator;
}
