package io.jvmm.loader;

/** A kernel file jvmm can load: a bzImage or an uncompressed ELF vmlinux. */
public sealed interface KernelImage permits BzImage, ElfKernel {

    /**
     * Recognises and checks {@code file}, the whole kernel file: ELF when it starts with the ELF
     * magic, a bzImage otherwise.
     *
     * @param file the kernel file's bytes; kept, not copied, so it must not change afterwards
     * @return an {@link ElfKernel} when {@code file} starts with the ELF magic, a {@link BzImage} otherwise
     * @throws LoaderException when the bytes are neither a loadable bzImage nor a loadable ELF
     */
    static KernelImage parse(byte[] file) {
        if (ElfKernel.hasElfMagic(file)) {
            return ElfKernel.parse(file);
        }
        return BzImage.parse(file);
    }
}
