package dev.lifeboat.cli;

import picocli.CommandLine;

/** The version from the jar's manifest, with the Java runtime it runs on. */
public final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Lifeboat.class.getPackage().getImplementationVersion();
        return new String[] {"lifeboat " + (v == null ? "development build" : v),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
}
