package io.deadbolt.protocol;

/**
 * The rules for lock names and client-chosen session ids: 1 to {@value #MAX_BYTES} bytes of UTF-8
 * with no whitespace and no control characters. U+FFFD is refused too: the decoder turns bytes that
 * are not UTF-8 into it, so refusing it keeps two different byte strings from naming the same lock.
 */
public final class Names {
    public static final int MAX_BYTES = 250;
    /** The longest session label ({@code set_name}): short enough to keep {@code locks} lines readable. */
    public static final int MAX_LABEL_BYTES = 64;

    private Names() {
    }

    public static boolean isValid(String name) {
        return isValid(name, MAX_BYTES);
    }

    /** A session label follows the name rules, at most {@value #MAX_LABEL_BYTES} bytes. */
    public static boolean isValidLabel(String label) {
        return isValid(label, MAX_LABEL_BYTES);
    }

    private static boolean isValid(String name, int maxBytes) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        int bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (Character.isISOControl(cp) || Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                    || cp == 0xFFFD || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
                return false;
            }
            bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes > maxBytes) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }
}
