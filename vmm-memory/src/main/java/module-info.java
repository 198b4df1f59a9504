/** Host mappings that back guest RAM, and GuestMemory over them (crosvm's MemoryMapping and vm_memory::GuestMemory). */
module io.jvmm.memory {
    requires transitive io.jvmm.core;

    exports io.jvmm.memory;
}
