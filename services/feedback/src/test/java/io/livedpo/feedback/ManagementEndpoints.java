package io.livedpo.feedback;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

/** Health and metrics are on the management interface: its port, which Quarkus picked for this test run. */
public final class ManagementEndpoints {

    private ManagementEndpoints() {
    }

    public static RequestSpecification given() {
        return RestAssured.given().port(ConfigProvider.getConfig().getValue("quarkus.management.test-port",
                Integer.class));
    }
}
