namespace NovaBrain.Tests.Publishing;

/// <summary>Settings of the publishes the tests compare, with secret values that must never reach a manifest.</summary>
internal static class PublishSettings
{
    public const string AdminPassword = "Adm1n-Secret-Value-7f3a";
    public const string PostgresPassword = "Pg-Secret-Value-91bc";
    public const string GatewayClientSecret = "Gw-Secret-Value-55de";
    public const string ExternalDatabasePassword = "Ext-Secret-Value-c0ff";
    public const string Issuer = "https://issuer.novabrain.test/";

    /// <summary>
    /// Every Kubernetes setting given: images, queue-depth scaling, per-overlay GPU placement and ingress, and training
    /// jobs run as Kubernetes Jobs.
    /// </summary>
    public static string[] Configured() =>
    [
        $"Parameters:admin-password={AdminPassword}",
        $"Parameters:postgres-password={PostgresPassword}",
        $"Parameters:gateway-client-secret={GatewayClientSecret}",
        $"Parameters:identity-issuer={Issuer}",
        "NovaBrain:Training:Execution=KubernetesJobs",
        "NovaBrain:Training:WorkerReplicas=1",
        "NovaBrain:Kubernetes:Registry=registry.example.com",
        "NovaBrain:Kubernetes:ImageTag=3.0.1",
        "NovaBrain:Kubernetes:ImagePullSecret=registry-credentials",
        "NovaBrain:Kubernetes:QueueDepthTarget=8",
        "NovaBrain:Kubernetes:GpuPriorityClassName=gpu-serving",
        "NovaBrain:Kubernetes:StorageClassName=fast-ssd",
        "NovaBrain:Kubernetes:SharedStorageClassName=shared-files",
        "NovaBrain:Kubernetes:Overlays:dev:Host=novabrain.dev.internal",
        "NovaBrain:Kubernetes:Overlays:dev:TlsSecretName=novabrain-dev-tls",
        "NovaBrain:Kubernetes:Overlays:dev:Registry=registry.dev.example.com",
        "NovaBrain:Kubernetes:Overlays:dev:ImageTag=2.1.0",
        "NovaBrain:Kubernetes:Overlays:dev:GpuTolerations:0=sku=gpu:NoSchedule",
        "NovaBrain:Kubernetes:Overlays:prod:Host=novabrain.example.org",
        "NovaBrain:Kubernetes:Overlays:prod:GrpcHost=grpc.novabrain.example.org",
        "NovaBrain:Kubernetes:Overlays:prod:TlsSecretName=novabrain-prod-tls",
        "NovaBrain:Kubernetes:Overlays:prod:GpuProduct=NVIDIA-A100-SXM4-80GB",
        "NovaBrain:Kubernetes:Overlays:prod:GpuRuntimeClassName=nvidia",
        "NovaBrain:Kubernetes:Overlays:prod:GpuTolerations:0=sku=gpu:NoSchedule",
        "NovaBrain:Kubernetes:Overlays:prod:GpuTolerations:1=dedicated:NoExecute",
    ];

    public static string[] External()
    {
        string[] names = ["authdb", "registrydb", "datadb", "trainingdb", "paramsdb", "monitoringdb", "logsdb", "redis", "eventbus", "prometheus"];
        return
        [
            "NovaBrain:Infrastructure=external",
            .. names.Select(name => $"ConnectionStrings:{name}=Host=db.example.org;Password={ExternalDatabasePassword};Database={name}"),
        ];
    }
}
