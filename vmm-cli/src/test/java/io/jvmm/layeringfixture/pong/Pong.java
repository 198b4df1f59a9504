package io.jvmm.layeringfixture.pong;

import io.jvmm.layeringfixture.ping.Ping;

/** The other half of the deliberate package cycle (test sources only). */
public final class Pong {
    private Pong() {
    }

    public static int hits(int n) {
        return n <= 0 ? 0 : 1 + Ping.hits(n - 1);
    }
}
