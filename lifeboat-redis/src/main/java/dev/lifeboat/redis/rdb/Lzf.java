package dev.lifeboat.redis.rdb;

/** LZF decompression, as Redis uses it for strings in RDB files ({@code lzf_d.c}). */
final class Lzf {
    private Lzf() {
    }

    /** Decompresses {@code in} into exactly {@code length} bytes, or returns null if the data is malformed. */
    static byte[] decompress(byte[] in, int length) {
        byte[] out = new byte[length];
        int ip = 0;
        int op = 0;
        while (ip < in.length) {
            int ctrl = in[ip++] & 0xff;
            if (ctrl < 32) {
                int run = ctrl + 1;
                if (op + run > length || ip + run > in.length) {
                    return null;
                }
                System.arraycopy(in, ip, out, op, run);
                ip += run;
                op += run;
            } else {
                int len = ctrl >>> 5;
                int ref = op - ((ctrl & 0x1f) << 8) - 1;
                if (len == 7) {
                    if (ip >= in.length) {
                        return null;
                    }
                    len += in[ip++] & 0xff;
                }
                if (ip >= in.length) {
                    return null;
                }
                ref -= in[ip++] & 0xff;
                len += 2;
                if (ref < 0 || op + len > length) {
                    return null;
                }
                for (int i = 0; i < len; i++) {
                    out[op++] = out[ref++];
                }
            }
        }
        return op == length ? out : null;
    }
}
