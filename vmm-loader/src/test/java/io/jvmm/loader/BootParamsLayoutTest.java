package io.jvmm.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compares every offset and constant of {@link BootParamsLayout} with the kernel's own
 * {@code <asm/bootparam.h>}, compiled by gcc. Skipped, with the reason, where gcc or the
 * linux-libc-dev headers are missing.
 */
class BootParamsLayoutTest {
    private static final String[] HEADER_DIRS = {"/usr/include/x86_64-linux-gnu/asm", "/usr/include/asm"};

    @Test
    void offsetsAndFlagsMatchTheKernelHeader(@TempDir Path dir) throws IOException, InterruptedException {
        boolean headerFound = false;
        for (String d : HEADER_DIRS) {
            headerFound |= Files.isRegularFile(Path.of(d, "bootparam.h"));
        }
        assumeTrue(headerFound, "asm/bootparam.h not installed (Debian: linux-libc-dev); cannot compare offsets");

        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("sizeof(struct boot_params)", (long) BootParamsLayout.SIZE);
        expected.put("offsetof(struct boot_params, ext_ramdisk_image)", (long) BootParamsLayout.EXT_RAMDISK_IMAGE);
        expected.put("offsetof(struct boot_params, ext_ramdisk_size)", (long) BootParamsLayout.EXT_RAMDISK_SIZE);
        expected.put("offsetof(struct boot_params, ext_cmd_line_ptr)", (long) BootParamsLayout.EXT_CMD_LINE_PTR);
        expected.put("offsetof(struct boot_params, acpi_rsdp_addr)", (long) BootParamsLayout.ACPI_RSDP_ADDR);
        expected.put("offsetof(struct boot_params, e820_entries)", (long) BootParamsLayout.E820_ENTRIES);
        expected.put("offsetof(struct boot_params, sentinel)", (long) BootParamsLayout.SENTINEL);
        expected.put("offsetof(struct boot_params, hdr)", (long) BootParamsLayout.SETUP_HEADER);
        expected.put("offsetof(struct boot_params, edd_mbr_sig_buffer)", (long) BootParamsLayout.SETUP_HEADER_LIMIT);
        expected.put("offsetof(struct boot_params, e820_table)", (long) BootParamsLayout.E820_TABLE);
        expected.put("sizeof(struct boot_e820_entry)", (long) BootParamsLayout.E820_ENTRY_SIZE);
        expected.put("E820_MAX_ENTRIES_ZEROPAGE", (long) BootParamsLayout.E820_MAX_ENTRIES);
        Map<String, Integer> hdr = new LinkedHashMap<>();
        hdr.put("setup_sects", BootParamsLayout.SETUP_SECTS);
        hdr.put("root_flags", BootParamsLayout.ROOT_FLAGS);
        hdr.put("syssize", BootParamsLayout.SYSSIZE);
        hdr.put("vid_mode", BootParamsLayout.VID_MODE);
        hdr.put("boot_flag", BootParamsLayout.BOOT_FLAG);
        hdr.put("jump", BootParamsLayout.JUMP);
        hdr.put("header", BootParamsLayout.HEADER);
        hdr.put("version", BootParamsLayout.VERSION);
        hdr.put("type_of_loader", BootParamsLayout.TYPE_OF_LOADER);
        hdr.put("loadflags", BootParamsLayout.LOADFLAGS);
        hdr.put("code32_start", BootParamsLayout.CODE32_START);
        hdr.put("ramdisk_image", BootParamsLayout.RAMDISK_IMAGE);
        hdr.put("ramdisk_size", BootParamsLayout.RAMDISK_SIZE);
        hdr.put("heap_end_ptr", BootParamsLayout.HEAP_END_PTR);
        hdr.put("cmd_line_ptr", BootParamsLayout.CMD_LINE_PTR);
        hdr.put("initrd_addr_max", BootParamsLayout.INITRD_ADDR_MAX);
        hdr.put("kernel_alignment", BootParamsLayout.KERNEL_ALIGNMENT);
        hdr.put("relocatable_kernel", BootParamsLayout.RELOCATABLE_KERNEL);
        hdr.put("min_alignment", BootParamsLayout.MIN_ALIGNMENT);
        hdr.put("xloadflags", BootParamsLayout.XLOADFLAGS);
        hdr.put("cmdline_size", BootParamsLayout.CMDLINE_SIZE);
        hdr.put("pref_address", BootParamsLayout.PREF_ADDRESS);
        hdr.put("init_size", BootParamsLayout.INIT_SIZE);
        hdr.forEach((field, offset) -> expected.put("offsetof(struct boot_params, hdr." + field + ")", (long) offset));
        expected.put("LOADED_HIGH", (long) BootParamsLayout.LOADED_HIGH);
        expected.put("CAN_USE_HEAP", (long) BootParamsLayout.CAN_USE_HEAP);
        expected.put("XLF_KERNEL_64", (long) BootParamsLayout.XLF_KERNEL_64);
        expected.put("XLF_CAN_BE_LOADED_ABOVE_4G", (long) BootParamsLayout.XLF_CAN_BE_LOADED_ABOVE_4G);

        StringBuilder c = new StringBuilder("#include <stddef.h>\n#include <stdio.h>\n#include <asm/bootparam.h>\nint main(void) {\n");
        for (String expr : expected.keySet()) {
            c.append("    printf(\"%lu\\n\", (unsigned long) (").append(expr).append("));\n");
        }
        c.append("    return 0;\n}\n");
        Path src = dir.resolve("layout.c");
        Path exe = dir.resolve("layout");
        Files.writeString(src, c.toString());
        String compiled = run(dir, "gcc", "-o", exe.toString(), src.toString());
        assumeTrue(compiled != null, "gcc is not available to compile the layout check");
        String output = run(dir, exe.toString());
        String[] lines = output.strip().split("\n");
        assertEquals(expected.size(), lines.length, output);
        int i = 0;
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            assertEquals(Long.parseLong(lines[i++].strip()), e.getValue(), e.getKey());
        }
        // The setup header offsets are the same in the kernel file, where the header also starts at 0x1f1.
        assertEquals(0x1f1, BootParamsLayout.SETUP_HEADER);
    }

    /** Runs a command; its stdout, or null when the program cannot be started. Fails on a non-zero exit. */
    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " timed out");
        }
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
        return out;
    }
}
