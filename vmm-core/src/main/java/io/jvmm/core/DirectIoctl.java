package io.jvmm.core;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.util.Map;

/**
 * {@code ioctl(2)} as a plain JNI native method whose body is a six-instruction system-call stub,
 * for the vCPU run loop, which makes one {@code KVM_RUN} ioctl per guest exit.
 *
 * <h2>Why</h2>
 * A JNA direct-mapped call goes through a libffi closure, JNA's generic argument dispatch, a
 * second libffi call and errno bookkeeping. Measured on the PVM development host (AMD EPYC,
 * 2 cores): an {@code ioctl(KVM_CHECK_EXTENSION)} costs about 750 ns through JNA against about
 * 350 ns from C, and about the C figure through this class; in the exit benchmark
 * ({@code vmm-bench/run-kvm.sh}) that difference is several percent of every exit. Shipping a
 * compiled JNI library would cost a native build per platform; the stub is 16 bytes of machine
 * code placed by {@link NativeCode}, like jvmm's other stubs.
 *
 * <h2>How</h2>
 * The stub takes the JNI arguments of {@code static native long ioctl0(int fd, long request, long
 * arg)} (System V x86-64: {@code JNIEnv*} in rdi, {@code jclass} in rsi, then edx, rcx, r8), moves
 * them into the system-call registers, executes {@code syscall} with {@code __NR_ioctl} (16,
 * arch/x86/entry/syscalls/syscall_64.tbl) and returns the kernel's result: the ioctl's
 * non-negative value or {@code -errno}. It touches neither the stack nor errno nor the JNI
 * environment. glibc's x86-64 {@code ioctl} is the same system call, so the kernel sees the same
 * request. The method is bound to the stub once, with the JNI invocation API:
 * {@code JNI_GetCreatedJavaVMs}, then {@code GetEnv} (index 6 of the JavaVM function table, JNI
 * spec "Invocation API") for this thread's {@code JNIEnv}, then {@code RegisterNatives} (index 215
 * of the JNIEnv function table, JNI spec "Registering Native Methods"), each called through JNA.
 * The JVM's own native-method wrapper around the stub does the thread-state transitions, so a
 * long {@code KVM_RUN} blocks safepoints no more than any native call does.
 *
 * <p>Where this is not x86-64 Linux or the binding fails, {@link #ioctl} uses
 * {@link LibC#ioctlErrno}'s JNA path instead, with the same results; {@link #unavailableReason()}
 * says why.
 */
public final class DirectIoctl {
    /** {@code __NR_ioctl} on x86-64 (arch/x86/entry/syscalls/syscall_64.tbl). */
    static final int NR_IOCTL_X86_64 = 16;

    /** JNI spec: {@code JNI_VERSION_1_6}, {@code JNI_OK}, and the function-table indices used. */
    private static final int JNI_VERSION_1_6 = 0x00010006;
    private static final int JNI_OK = 0;
    private static final int JAVA_VM_GET_ENV_INDEX = 6;
    private static final int JNI_ENV_REGISTER_NATIVES_INDEX = 215;
    /** {@code JNINativeMethod { char *name; char *signature; void *fnPtr; }}. */
    private static final int JNI_NATIVE_METHOD_SIZE = 3 * Long.BYTES;

    private static final byte[] X86_64_IOCTL_STUB = {
        (byte) 0x89, (byte) 0xd7,                     // mov  edi, edx     fd (zero-extended)
        (byte) 0x48, (byte) 0x89, (byte) 0xce,        // mov  rsi, rcx     request
        (byte) 0x4c, (byte) 0x89, (byte) 0xc2,        // mov  rdx, r8      arg
        (byte) 0xb8, NR_IOCTL_X86_64, 0, 0, 0,        // mov  eax, __NR_ioctl
        (byte) 0x0f, (byte) 0x05,                     // syscall           (clobbers rcx, r11: caller-saved)
        (byte) 0xc3,                                  // ret               rax = result or -errno
    };

    /** Null when the stub is bound; otherwise why not. */
    private static final String UNAVAILABLE_REASON = bind();
    private static final boolean DIRECT = UNAVAILABLE_REASON == null;

    private DirectIoctl() {
    }

    /** Bound to {@link #X86_64_IOCTL_STUB} by {@link #bind()}; never called unless that succeeded. */
    private static native long ioctl0(int fd, long request, long arg);

    /**
     * {@code ioctl(fd, request, arg)} without an exception for failure. Like
     * {@link LibC#ioctlErrno}, it validates nothing: {@code arg} must be what {@code request}
     * expects (an integer, or the address of a live buffer of the right size). Thread-safe: it
     * keeps no state.
     *
     * @param fd      an open descriptor, e.g. a vCPU's
     * @param request the ioctl request number, e.g. {@code KVM_RUN}
     * @param arg     the request's argument: an integer, or a host address
     * @return the call's non-negative result, or {@code -errno} (e.g. {@code -EINTR} when a signal
     *     interrupted {@code KVM_RUN})
     */
    public static int ioctl(int fd, long request, long arg) {
        if (DIRECT) {
            return (int) ioctl0(fd, request, arg);
        }
        return LibC.ioctlJna(fd, request, arg);
    }

    /**
     * {@return whether {@link #ioctl} goes through the system-call stub (rather than JNA); decided
     * once, when the class initialises}
     */
    public static boolean isDirect() {
        return DIRECT;
    }

    /** {@return why {@link #ioctl} falls back to JNA, or the empty string when it does not} */
    public static String unavailableReason() {
        return DIRECT ? "" : UNAVAILABLE_REASON;
    }

    private static String bind() {
        if (!Platform.isLinux() || !"x86-64".equals(Platform.ARCH)) {
            return "the system-call stub is x86-64 Linux code; this is " + Platform.ARCH + " " + System.getProperty("os.name");
        }
        try {
            Pointer vm = currentJavaVm();
            Pointer env = currentThreadEnv(vm);
            NativeCode stub = NativeCode.of(X86_64_IOCTL_STUB);
            try (Memory name = new Memory(16); Memory signature = new Memory(16); Memory method = new Memory(JNI_NATIVE_METHOD_SIZE)) {
                name.setString(0, "ioctl0", "US-ASCII");
                signature.setString(0, "(IJJ)J", "US-ASCII");
                method.setPointer(0, name);
                method.setPointer(Long.BYTES, signature);
                method.setPointer(2L * Long.BYTES, new Pointer(stub.address()));
                Pointer registerNatives = env.getPointer(0).getPointer((long) JNI_ENV_REGISTER_NATIVES_INDEX * Native.POINTER_SIZE);
                // The class goes to RegisterNatives as a jobject: JNA passes it as a local
                // reference, valid for the duration of this call.
                Object rc = Function.getFunction(registerNatives).invoke(Integer.class, new Object[]{env, DirectIoctl.class, method, 1},
                    Map.of(Library.OPTION_ALLOW_OBJECTS, Boolean.TRUE));
                if (!Integer.valueOf(JNI_OK).equals(rc)) {
                    return "RegisterNatives returned " + rc;
                }
            }
            return null;
        } catch (RuntimeException | LinkageError e) {
            return "binding the system-call stub failed: " + e;
        }
    }

    private static Pointer currentJavaVm() {
        Function getCreated = jvmLibrary().getFunction("JNI_GetCreatedJavaVMs");
        try (Memory vms = new Memory(Native.POINTER_SIZE); Memory count = new Memory(Integer.BYTES)) {
            int rc = getCreated.invokeInt(new Object[]{vms, 1, count});
            if (rc != JNI_OK || count.getInt(0) < 1) {
                throw new IllegalStateException("JNI_GetCreatedJavaVMs returned " + rc + " with " + count.getInt(0) + " VMs");
            }
            return vms.getPointer(0);
        }
    }

    private static NativeLibrary jvmLibrary() {
        try {
            return NativeLibrary.getInstance("jvm");
        } catch (UnsatisfiedLinkError e) {
            // The launcher loaded libjvm; its symbols are then visible through the process handle.
            return NativeLibrary.getProcess();
        }
    }

    private static Pointer currentThreadEnv(Pointer vm) {
        Pointer getEnv = vm.getPointer(0).getPointer((long) JAVA_VM_GET_ENV_INDEX * Native.POINTER_SIZE);
        try (Memory env = new Memory(Native.POINTER_SIZE)) {
            int rc = Function.getFunction(getEnv).invokeInt(new Object[]{vm, env, JNI_VERSION_1_6});
            if (rc != JNI_OK) {
                throw new IllegalStateException("JavaVM GetEnv returned " + rc);
            }
            return env.getPointer(0);
        }
    }
}
