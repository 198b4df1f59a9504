/** Linux bzImage and ELF loading, boot_params and the command line, at the addresses of a BootLayout. */
module io.jvmm.loader {
    requires transitive io.jvmm.memory;

    exports io.jvmm.loader;
}
