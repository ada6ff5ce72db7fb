package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jresnet.core.backend.Backend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite-difference gradient checks of every op (see {@link GradCases}) on one backend. Each
 * backend's test module subclasses this with its backend; the checks themselves are never copied.
 */
public abstract class AbstractGradCheckTest {

    /** The backend under test. */
    protected abstract Backend backend();

    static List<GradCase> cases() {
        return GradCases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(GradCase c) {
        GradCheck.Report report = GradCheck.run(backend(), c, 42);
        System.out.println(backend().name() + " " + report);
        assertTrue(report.passed(c.smooth()), () -> backend().name() + " " + report);
    }
}
