package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class GuestKernelLogTest {
    /** The lines around the XSAVE warning as Debian's 6.1 cloud kernel printed them in the nested host. */
    private static final String XSAVE_WARNING = """
        [    1.739730] Speculative Return Stack Overflow: WARNING: See https://kernel.org/doc/html/latest/admin-guide/hw-vuln/srso.html for mitigation options.
        [    1.772152] ------------[ cut here ]------------
        [    1.784528] XSAVE consistency problem: size 832 != kernel_size 576
        [    1.795731] WARNING: CPU: 0 PID: 0 at arch/x86/kernel/fpu/xstate.c:606 fpu__init_system_xstate+0x85a/0xb19
        [    1.803682] Modules linked in:
        [    1.955726] ---[ end trace 0000000000000000 ]---
        """;

    @Test
    void aWarnReportIsAProblemButAWordWarningInAnOrdinaryLineIsNot() {
        assertEquals(List.of("WARNING: CPU: 0 PID: 0 at arch/x86/kernel/fpu/xstate.c:606 fpu__init_system_xstate+0x85a/0xb19"),
            GuestKernelLog.problems(XSAVE_WARNING, List.of()));
    }

    @Test
    void theNestedHostsXsaveWarningIsExplainedOnlyWithItsExactSizes() {
        assertEquals(List.of(), GuestKernelLog.problems(XSAVE_WARNING, List.of(GuestKernelLog.NESTED_XSAVE)));
        String otherSizes = XSAVE_WARNING.replace("size 832 != kernel_size 576", "size 2696 != kernel_size 832");
        assertEquals(1, GuestKernelLog.problems(otherSizes, List.of(GuestKernelLog.NESTED_XSAVE)).size());
        String otherPlace = XSAVE_WARNING.replace("fpu__init_system_xstate", "fpu__init_cpu_xstate");
        assertEquals(1, GuestKernelLog.problems(otherPlace, List.of(GuestKernelLog.NESTED_XSAVE)).size());
    }

    @Test
    void bugsOopsesAndPanicsAreProblems() {
        String log = """
            [    2.000000] BUG: kernel NULL pointer dereference, address: 0000000000000000
            [    2.000100] Oops: 0000 [#1] PREEMPT SMP NOPTI
            [    2.000200] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009
            [    2.000300] Run /init as init process
            """;
        assertEquals(List.of("BUG: kernel NULL pointer dereference, address: 0000000000000000",
                "Oops: 0000 [#1] PREEMPT SMP NOPTI", "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009"),
            GuestKernelLog.problems(log, List.of(GuestKernelLog.NESTED_XSAVE)));
    }
}
