package io.jvmm.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * One {@code --disk FILE[,ro]}: a raw image for a virtio-blk device, writable unless {@code ,ro}.
 * The first --disk is the guest's /dev/vda, the next /dev/vdb, and so on.
 */
record DiskOption(Path file, boolean readOnly) {
    @Override
    public String toString() {
        return file + (readOnly ? ",ro" : "");
    }

    /** Parses {@code FILE} or {@code FILE,ro}; any other suffix is a usage error. */
    static final class Converter implements CommandLine.ITypeConverter<DiskOption> {
        @Override
        public DiskOption convert(String value) {
            String file = value;
            boolean ro = false;
            int comma = value.lastIndexOf(',');
            if (comma >= 0) {
                String flag = value.substring(comma + 1);
                if (!flag.equals("ro")) {
                    throw new CommandLine.TypeConversionException("'" + value + "': the only option after the file is ',ro'"
                        + " (read-only), not '," + flag + "'");
                }
                file = value.substring(0, comma);
                ro = true;
            }
            if (file.isEmpty()) {
                throw new CommandLine.TypeConversionException("'" + value + "' names no file");
            }
            try {
                return new DiskOption(Path.of(file), ro);
            } catch (InvalidPathException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a file name: " + e.getReason());
            }
        }
    }
}
