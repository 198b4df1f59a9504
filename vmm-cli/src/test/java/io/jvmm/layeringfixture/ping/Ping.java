package io.jvmm.layeringfixture.ping;

import io.jvmm.layeringfixture.pong.Pong;

/** Half of a deliberate package cycle for LayeringTest's negative case (test sources only). */
public final class Ping {
    private Ping() {
    }

    public static int hits(int n) {
        return n <= 0 ? 0 : 1 + Pong.hits(n - 1);
    }
}
