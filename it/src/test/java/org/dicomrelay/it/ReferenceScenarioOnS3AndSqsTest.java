package org.dicomrelay.it;

/** {@link ReferenceScenario} with both routers on Cloud IO "s3": blobs in S3Proxy, notifications in ElasticMQ (SQS). */
class ReferenceScenarioOnS3AndSqsTest extends ReferenceScenario {
    private S3Emulators cloud;

    @Override protected RelayNetwork.Builder onProvider(RelayNetwork.Builder network) throws Exception {
        cloud = new S3Emulators();
        return network.cloud("s3", cloud.routerSettings());
    }

    @Override protected void assertProviderEmpty() throws Exception {
        cloud.assertEmpty("hospital-a", "hospital-b");
    }

    @Override protected void stopProvider() throws Exception {
        if (cloud != null) cloud.close();
    }
}
