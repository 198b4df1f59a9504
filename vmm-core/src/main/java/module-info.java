/** The libc binding (JNA direct mapping), errno names, descriptors, eventfd, poll and flock. */
module io.jvmm.core {
    requires transitive com.sun.jna;

    exports io.jvmm.core;
}
