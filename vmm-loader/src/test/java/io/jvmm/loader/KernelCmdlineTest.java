package io.jvmm.loader;

import static io.jvmm.loader.TestKernels.PC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KernelCmdlineTest {

    @Test
    void partsAreJoinedWithSingleSpacesAndEndInNul() {
        KernelCmdline line = new KernelCmdline(100).append("console=ttyS0").append("").appendParam("panic", "-1").append("quiet");
        assertEquals("console=ttyS0 panic=-1 quiet", line.toString());
        assertArrayEquals("console=ttyS0 panic=-1 quiet\0".getBytes(StandardCharsets.US_ASCII), line.toBytesWithNul());
    }

    @Test
    void lineOfExactlyTheCapacityFitsAndOneMoreCharacterDoesNot() {
        KernelCmdline line = new KernelCmdline(10).append("abcde").append("fghi");
        assertEquals(10, line.length());
        LoaderException e = assertThrows(LoaderException.class, () -> line.append("j"));
        assertEquals(LoaderException.Reason.BAD_COMMAND_LINE, e.reason());
        assertTrue(e.getMessage().contains("too long") && e.getMessage().contains("12") && e.getMessage().contains("10"),
            e.getMessage());
        assertEquals("abcde fghi", line.toString(), "a refused append leaves the line as it was");
    }

    @Test
    void nulAndControlAndNonAsciiCharactersAreRefused() {
        for (String bad : new String[] {"a\0b", "a\nb", "tab\there", "caf\u00e9", "\u007f"}) {
            KernelCmdline line = new KernelCmdline(100).append("ok");
            LoaderException e = assertThrows(LoaderException.class, () -> line.append(bad), bad);
            assertEquals(LoaderException.Reason.BAD_COMMAND_LINE, e.reason());
            assertEquals("ok", line.toString());
        }
    }

    @Test
    void parameterNamesAndValuesMustNotSplitIntoOtherParameters() {
        assertThrows(LoaderException.class, () -> new KernelCmdline(100).appendParam("", "x"));
        assertThrows(LoaderException.class, () -> new KernelCmdline(100).appendParam("a b", "x"));
        assertThrows(LoaderException.class, () -> new KernelCmdline(100).appendParam("a=b", "x"));
        assertThrows(LoaderException.class, () -> new KernelCmdline(100).appendParam("init", "/bin/sh -c x"));
        assertThrows(LoaderException.class, () -> new KernelCmdline(100).appendParam("init", "\"x"));
    }

    @Test
    void capacityIsTheKernelsCmdlineSizeCappedByTheReservedArea() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.cmdlineSize = 2047;
        assertEquals(2047, KernelCmdline.maxCharsFor(BzImage.parse(b.build()).header(), PC));
        b.cmdlineSize = 0xffff_ffffL;
        assertEquals(0x10000 - 1, KernelCmdline.maxCharsFor(BzImage.parse(b.build()).header(), PC));
    }

    @Test
    void capacityOutsideTheReservedAreaIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new KernelCmdline(-1));
        assertThrows(IllegalArgumentException.class, () -> new KernelCmdline(Integer.MAX_VALUE));
        assertEquals(0, new KernelCmdline(0).toBytesWithNul()[0]);
    }
}
