package dev.lifeboat.core.process;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on the loopback address, for servers Lifeboat starts (scratch clusters, test servers). */
public final class Ports {
    private Ports() {
    }

    /** A port on 127.0.0.1 that was free a moment ago; a server that loses the race retries with another. */
    public static int freeLoopback() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "no free loopback port: " + e.getMessage(), "Pass a port explicitly.", e);
        }
    }
}
