package io.jvmm.cli;

import io.jvmm.machine.guest.BuiltInGuests;
import io.jvmm.machine.guest.GuestImage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The built-in guests {@code jvmm run --guest NAME} offers, by the names users type. */
enum BuiltInGuest {
    /** The default: 64-bit long mode, greeting, mailbox round trip, reset. */
    DEMO("demo", "the built-in demo guest", BuiltInGuests::longModeDemo),
    /** 16-bit real mode, greeting, halt. */
    REAL("real", "the built-in real-mode guest", BuiltInGuests::realModeHello);

    private final String cliName;
    private final String description;
    private final Supplier<GuestImage> image;

    BuiltInGuest(String cliName, String description, Supplier<GuestImage> image) {
        this.cliName = cliName;
        this.description = description;
        this.image = image;
    }

    String cliName() {
        return cliName;
    }

    String description() {
        return description;
    }

    /** A freshly assembled image of this guest. */
    GuestImage image() {
        return image.get();
    }

    static BuiltInGuest byName(String name) {
        for (BuiltInGuest g : values()) {
            if (g.cliName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return g;
            }
        }
        throw new TypeConversionException("unknown built-in guest '" + name + "': expected " + String.join(" or ", names()));
    }

    static List<String> names() {
        List<String> names = new ArrayList<>();
        for (BuiltInGuest g : values()) {
            names.add(g.cliName);
        }
        return names;
    }

    /** For {@code --guest}. */
    static final class Converter implements ITypeConverter<BuiltInGuest> {
        @Override
        public BuiltInGuest convert(String value) {
            return byName(value);
        }
    }

    /** The names, for picocli's {@code ${COMPLETION-CANDIDATES}}. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return names().iterator();
        }
    }
}
