package io.jvmm.devices.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class IoBusTest {
    @Test
    void accessesReachTheDeviceWithOffsetsRelativeToItsBase() {
        IoBus bus = new IoBus();
        TestDevice uart = new TestDevice("uart");
        bus.register(0x3f8, 8, uart);
        byte[] one = new byte[1];
        bus.read(0x3fd, one);
        bus.write(0x3f8, new byte[] {'A'});
        assertEquals(List.of("r5/1", "w0/1=65"), uart.log);
        assertArrayEquals(new byte[] {5}, one);
    }

    @Test
    void overlappingRegistrationIsRefusedNamingBothRanges() {
        IoBus bus = new IoBus();
        TestDevice first = new TestDevice("first");
        bus.register(0x60, 5, first);
        BusConflictException e = assertThrows(BusConflictException.class, () -> bus.register(0x64, 1, new TestDevice("second")));
        assertSame(first, e.existing().device());
        assertTrue(e.getMessage().contains("first") && e.getMessage().contains("second") && e.getMessage().contains("0x64"), e.getMessage());
        // Adjacent ranges are fine.
        bus.register(0x65, 1, new TestDevice("third"));
        bus.register(0x5f, 1, new TestDevice("fourth"));
        assertEquals(3, bus.ranges().size());
    }

    @Test
    void unknownPortReadsAllOnesAndWritesAreIgnoredWithADebugLine() {
        Logger logger = (Logger) LoggerFactory.getLogger(IoBus.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Level before = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        logger.addAppender(appender);
        try {
            IoBus bus = new IoBus();
            bus.register(0x3f8, 8, new TestDevice("uart"));
            byte[] four = new byte[4];
            bus.read(0x80, four);
            assertArrayEquals(new byte[] {-1, -1, -1, -1}, four);
            bus.write(0x80, new byte[] {1});
            assertEquals(2, appender.list.size());
            assertTrue(appender.list.get(0).getFormattedMessage().contains("0x80"), appender.list.get(0).getFormattedMessage());
            assertTrue(appender.list.get(1).getFormattedMessage().contains("ignored"), appender.list.get(1).getFormattedMessage());
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(before);
        }
    }

    @Test
    void anAccessRunningPastTheEndOfARangeIsNotGivenToTheDevice() {
        IoBus bus = new IoBus();
        TestDevice dev = new TestDevice("dev");
        bus.register(0x100, 2, dev);
        byte[] four = new byte[4];
        bus.read(0x101, four);
        assertArrayEquals(new byte[] {-1, -1, -1, -1}, four);
        assertEquals(List.of(), dev.log);
    }

    @Test
    void unregisteredPortsBecomeUnknownAgain() {
        IoBus bus = new IoBus();
        TestDevice dev = new TestDevice("dev");
        bus.register(0x70, 2, dev);
        assertEquals(0x70, bus.unregister(0x70).orElseThrow().base());
        assertTrue(bus.find(0x70).isEmpty());
        byte[] one = new byte[1];
        bus.read(0x70, one);
        assertEquals(-1, one[0]);
        assertTrue(bus.unregister(0x70).isEmpty());
    }

    @Test
    void rangesOutsideThePortSpaceOrEmptyAreRefused() {
        IoBus bus = new IoBus();
        TestDevice dev = new TestDevice("dev");
        assertThrows(IllegalArgumentException.class, () -> bus.register(0xffff, 2, dev));
        assertThrows(IllegalArgumentException.class, () -> bus.register(-1, 1, dev));
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x10, 0, dev));
        assertThrows(NullPointerException.class, () -> bus.register(0x10, 1, null));
        bus.register(0xffff, 1, dev);
    }
}
