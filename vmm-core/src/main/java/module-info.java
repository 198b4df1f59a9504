/** The libc binding (JNA direct mapping), errno names, descriptors, eventfd, poll and flock. */
// LibC's public API passes JNA Pointers, so users must read JNA (an automatic module: its jar
// names itself com.sun.jna but has no descriptor).
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.jvmm.core {
    requires transitive com.sun.jna;

    exports io.jvmm.core;
}
