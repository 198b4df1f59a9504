package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.ClosedException;
import io.jvmm.core.Errno;
import io.jvmm.core.ErrorDetails;
import io.jvmm.core.JvmmException;
import io.jvmm.core.LibC;
import io.jvmm.core.SyscallException;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Failures carry the values a caller acts on (issue 9): the address, length and region size of a
 * refused access, the call and errno of a failed system call, and one base type for all of them.
 */
class ErrorDetailsTest {
    @Test
    void aGuestAccessPastItsRegionCarriesAddressLengthAndRegionSize() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0x1000, 0x2000))) {
            GuestMemoryException e = assertThrows(GuestMemoryException.class,
                () -> memory.readLongFromAddr(GuestAddress.of(0x2ffc)));
            assertEquals(GuestMemoryException.Kind.INVALID_GUEST_RANGE, e.kind());
            assertEquals(OptionalLong.of(0x2ffc), e.details().address());
            assertEquals(OptionalLong.of(8), e.details().length());
            assertEquals(OptionalLong.of(0x2000), e.details().regionSize());
            assertEquals(0, e.errno());

            GuestMemoryException none = assertThrows(GuestMemoryException.class,
                () -> memory.readIntFromAddr(GuestAddress.of(0x9000)));
            assertEquals(OptionalLong.of(0x9000), none.details().address());
            assertEquals(OptionalLong.empty(), none.details().regionSize(), "an address in no region has no region size");
        }
    }

    @Test
    void aMappingAccessOutsideItCarriesOffsetLengthAndMappingSize() {
        try (MemoryMapping m = MemoryMapping.builder(4096).build()) {
            MmapException e = assertThrows(MmapException.class, () -> m.readLong(4092));
            assertEquals(ErrorDetails.ofAccess(4092, 8, 4096), e.details());
            MmapException aligned = assertThrows(MmapException.class, () -> m.readIntVolatile(2));
            assertEquals(MmapException.Kind.INVALID_ALIGNMENT, aligned.kind());
            assertEquals(ErrorDetails.ofAccess(2, 4, 4096), aligned.details());
        }
    }

    @Test
    void aFailedSystemCallCarriesItsNameAndErrno() {
        SyscallException e = assertThrows(SyscallException.class,
            () -> LibC.openChecked("/nonexistent/jvmm-error-details", LibC.O_RDONLY, 0));
        assertEquals(Optional.of("open"), e.details().call());
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals(Optional.of("ENOENT"), e.details().errnoName());
    }

    @Test
    void useAfterCloseIsItsOwnTypeUnderTheCommonBase() {
        MemoryMapping m = MemoryMapping.builder(4096).build();
        m.close();
        ClosedException e = assertThrows(ClosedException.class, () -> m.readLong(0));
        assertInstanceOf(JvmmException.class, e);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals(ErrorDetails.NONE, e.details());
    }
}
