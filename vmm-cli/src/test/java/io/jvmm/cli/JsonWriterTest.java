package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one-line JSON the CLI prints parses back to what was written. */
class JsonWriterTest {
    @Test
    void nestedObjectsNumbersAndNullsRoundTrip() {
        String json = new JsonWriter().beginObject("exits").number("io", 3).number("hlt", 0).endObject()
            .millis("run_loop_ms", Duration.ofNanos(1_234_567)).nullValue("boot_complete_ms").bool("ok", true)
            .beginObject("empty").endObject().string("reason", "reset").toString();
        assertEquals("{\"exits\":{\"io\":3,\"hlt\":0},\"run_loop_ms\":1.235,\"boot_complete_ms\":null,\"ok\":true,"
            + "\"empty\":{},\"reason\":\"reset\"}", json);
        Map<String, Object> parsed = MiniJson.parseObject(json);
        assertEquals(List.of("exits", "run_loop_ms", "boot_complete_ms", "ok", "empty", "reason"), List.copyOf(parsed.keySet()));
        assertEquals(Map.of("io", 3.0, "hlt", 0.0), parsed.get("exits"));
    }

    @Test
    void stringsAreEscaped() {
        String nasty = "a \"quoted\" back\\slash\nnew line\ttab\u0001 é";
        String json = new JsonWriter().string("s", nasty).string("none", null).toString();
        assertEquals(nasty, MiniJson.parseObject(json).get("s"));
        assertEquals(null, MiniJson.parseObject(json).get("none"));
    }
}
