plugins {
    java
    id("org.springframework.boot") version "3.3.0"
}

val bcVersion = "1.80"

java {
    toolchain {
        languageVersion = JavaLanguageVersion.of(21)
    }
}

dependencies {
    implementation("org.bouncycastle:bcprov-jdk18on:$bcVersion")
    implementation("org.bouncycastle:bctls-jdk18on:1.79")
    implementation(group = "com.google.guava", name = "guava", version = "33.2.0-jre")
    testImplementation("org.junit.jupiter:junit-jupiter:5.10.2")
}
