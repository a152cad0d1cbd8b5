package dev.lifeboat.testkit;

import dev.lifeboat.core.process.Ports;

/** A TCP port on 127.0.0.1 that was free a moment ago. Servers that lose the race are restarted on another. */
public final class FreePort {
    private FreePort() {
    }

    public static int pick() {
        return Ports.freeLoopback();
    }
}
