package org.rationalnn.samples;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CurveFitSampleTest {

    @Test
    void tinyRunRationalBeatsFixedActivationsOnSharpTargets() {
        CurveFitSample.Options o = new CurveFitSample.Options();
        o.steps = 300;
        o.points = 200;
        CurveFitSample.Result r = CurveFitSample.run(o);
        assertEquals(3, r.uniformError.size());
        // two hidden layers of 8: 97 parameters with a fixed activation, +2 x 6 rational coefficients
        assertEquals(97L, r.parameters.get("relu"));
        assertEquals(97L + 12L, r.parameters.get("rational"));
        for (String act : new String[]{"relu", "tanh", "gelu"}) {
            assertTrue(r.error("sin(6x)", "rational") < 0.5 * r.error("sin(6x)", act),
                    "rational vs " + act + " on sin(6x): " + r.uniformError);
        }
        for (String act : new String[]{"tanh", "gelu"}) {
            assertTrue(r.error("peak 1/(x^2+0.1^2)/100", "rational")
                    < 0.5 * r.error("peak 1/(x^2+0.1^2)/100", act), "peak: " + r.uniformError);
        }
    }
}
