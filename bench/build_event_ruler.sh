#!/bin/sh
# Build aws/event-ruler's jar from a source checkout, for `python -m bench` (EVENT_RULER_CP).
#
#   bench/build_event_ruler.sh EVENT_RULER_SOURCE_DIR OUT_DIR
#
# Where Maven Central is reachable, the released jar and its Jackson jars do as well:
#   EVENT_RULER_CP=event-ruler-<v>.jar:jackson-databind.jar:jackson-core.jar:jackson-annotations.jar
# This script needs only a JDK and Debian's Jackson (apt-get install libjackson2-databind-java
# libjsr305-java). event-ruler's one other runtime dependency, fastdoubleparser, is not packaged by
# Debian: a stand-in class parses numbers with the JDK's BigDecimal (used by ComparableNumber).
# It prints the EVENT_RULER_CP to export.
set -eu
src=$1
out=$2
java_share=${JAVA_SHARE:-/usr/share/java}
cp="$java_share/jackson-databind.jar:$java_share/jackson-core.jar:$java_share/jackson-annotations.jar"
mkdir -p "$out/classes" "$out/shim/ch/randelshofer/fastdoubleparser"
cat > "$out/shim/ch/randelshofer/fastdoubleparser/JavaBigDecimalParser.java" <<'EOF'
package ch.randelshofer.fastdoubleparser;

import java.math.BigDecimal;

/** Stand-in for fastdoubleparser (not packaged in Debian): the JDK's BigDecimal parser. */
public final class JavaBigDecimalParser {
    private JavaBigDecimalParser() {}

    public static BigDecimal parseBigDecimal(CharSequence str) {
        return new BigDecimal(str.toString());
    }
}
EOF
# shellcheck disable=SC2046
javac -nowarn -encoding UTF-8 -d "$out/classes" -cp "$cp:$java_share/jsr305.jar" \
    $(find "$src/src/main" "$out/shim" -name '*.java') 2>/dev/null
rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo src)
(cd "$out/classes" && jar cf "../event-ruler-$rev.jar" .)
echo "EVENT_RULER_CP=$(cd "$out" && pwd)/event-ruler-$rev.jar:$cp"
