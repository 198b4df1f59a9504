/** I/O-port and MMIO buses and the legacy device models (UART, i8042, CMOS RTC, reset, boot-complete). */
module io.jvmm.devices {
    requires org.slf4j;

    exports io.jvmm.devices;
    exports io.jvmm.devices.bus;
}
