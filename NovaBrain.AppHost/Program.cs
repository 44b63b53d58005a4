using NovaBrain.AppHost.Identity;
using NovaBrain.AppHost.Infrastructure;
using NovaBrain.AppHost.Publishing;
using NovaBrain.Security;

var builder = DistributedApplication.CreateBuilder(args);
// Publishing also renders the model as Kubernetes manifests (NovaBrain:Kubernetes).
builder.AddKubernetesPublishing();

// Backing servers: containers, local processes or external servers (NovaBrain:Infrastructure).
var servers = builder.AddBackingServers();
var gateway = GatewaySettings.From(builder.Configuration);
var identity = PlatformIdentity.Create(builder, gateway.HttpPort);

// Services: resource name = connection name in the service; each waits for its servers. Every service validates
// tokens and API keys itself, so each has Redis (the API-key cache) and its own identity.
var auth = builder.AddService<Projects.NovaBrain_Auth>("auth")
    .WithBackingServer(servers.Database(ConnectionNames.AuthDb))
    .WithBackingServer(servers.EventBus)
    .WithBackingServer(servers.Redis)
    .WithPlatformIdentity(identity, auth: null)
    .AsIdentityProvider(identity);

IResourceBuilder<ProjectResource> AddPlatformService<TProject>(string name, string? database) where TProject : IProjectMetadata, new()
{
    var service = builder.AddService<TProject>(name);
    if (database is not null)
    {
        service.WithBackingServer(servers.Database(database));
    }

    return service
        .WithBackingServer(servers.EventBus)
        .WithBackingServer(servers.Redis)
        .WithPlatformIdentity(identity, auth);
}

var parameters = AddPlatformService<Projects.NovaBrain_Parameters>("parameters", ConnectionNames.ParamsDb)
    .WithFolderInStateFolder("Parameters__Storage__Root", "blobs")
    .WithPersistentStorage("blobs", "/app/data/blobs", size: "100Gi")
    .WithGrpcEndpoint();
// The registry keeps model artifacts in the parameter service; serving resolves references in the registry and
// downloads artifacts from the parameter service, each with its own client's permissions.
var modelRegistry = AddPlatformService<Projects.NovaBrain_ModelRegistry>("model-registry", ConnectionNames.RegistryDb)
    .WithGrpcEndpoint()
    .WithReference(parameters)
    .WithServicePermissions(identity, Permissions.ParamsRead, Permissions.ParamsWrite);
// Published, serving and the training workers run on GPU nodes; serving scales with its load.
var modelServing = AddPlatformService<Projects.NovaBrain_ModelServing>("model-serving", database: null)
    .WithGpu(count: 1, cudaSettings: CudaSettings.ModelServing)
    .WithComputeResources(cpuRequest: "2", memoryRequest: "8Gi", cpuLimit: "8", memoryLimit: "16Gi")
    .WithAutoscaling(minReplicas: 1, maxReplicas: 4)
    .WithScratchStorage("model-cache", "/app/data/model-cache", sizeLimit: "25Gi")
    .WithFolderInStateFolder("ModelServing__Cache__Root", "model-cache")
    .WithGrpcEndpoint()
    .WithReference(modelRegistry)
    .WithReference(parameters)
    .WithServicePermissions(identity, Permissions.ModelsRead, Permissions.ParamsRead);
var dataProcessing = AddPlatformService<Projects.NovaBrain_DataProcessing>("data-processing", ConnectionNames.DataDb);
// Training: the APIs (`training`) and the workers that run jobs (`training-worker`, NovaBrain:Training), one project
// in two roles. Workers read datasets and write checkpoints and weights in the parameter service, and register
// trained models; published, they run on GPU nodes or launch each job as a Kubernetes Job.
var trainingSettings = TrainingSettings.From(builder.Configuration);
var training = AddPlatformService<Projects.NovaBrain_Training>("training", ConnectionNames.TrainingDb)
    .WithGrpcEndpoint()
    .WithReference(parameters)
    .WithReference(modelRegistry)
    .WithServicePermissions(identity, Permissions.ParamsRead, Permissions.ModelsRead);
AddPlatformService<Projects.NovaBrain_Training>("training-worker", ConnectionNames.TrainingDb)
    .AsTrainingWorker(training, trainingSettings)
    .WithReference(parameters)
    .WithReference(modelRegistry)
    .WithServicePermissions(identity, Permissions.ParamsRead, Permissions.ParamsWrite, Permissions.ModelsRead, Permissions.ModelsWrite);
var monitoring = AddPlatformService<Projects.NovaBrain_Monitoring>("monitoring", ConnectionNames.MonitoringDb);
var logging = AddPlatformService<Projects.NovaBrain_Logging>("logging", ConnectionNames.LogsDb);
if (servers.Mongo is { } mongo)
{
    logging.WithBackingServer(mongo);
}

// Gateway replicas: each references every service but does not wait for them; it reports their readiness itself,
// so it is up (and says which services are not) while any of them is starting or down. Rate-limit counters live in
// Redis, so the limits hold across replicas.
for (var replica = 1; replica <= gateway.Replicas; replica++)
{
    builder.AddGateway<Projects.NovaBrain_Gateway>(GatewaySettings.ReplicaName(replica), gateway.PortsOf(replica))
        .AsPublicEntryPoint()
        .WithBackingServer(servers.Redis)
        .WithPlatformIdentity(identity, auth)
        .WithReference(modelRegistry)
        .WithReference(modelServing)
        .WithReference(dataProcessing)
        .WithReference(training)
        .WithReference(parameters)
        .WithReference(monitoring)
        .WithReference(logging);
}

builder.Build().Run();
