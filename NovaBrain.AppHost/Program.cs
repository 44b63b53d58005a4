using NovaBrain.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

// Backing servers: containers, local processes or external servers (NovaBrain:Infrastructure).
var servers = builder.AddBackingServers();

// Services: resource name = connection name in the service; each waits for its servers.
var auth = builder.AddService<Projects.NovaBrain_Auth>("auth")
    .WithBackingServer(servers.Database(ConnectionNames.AuthDb))
    .WithBackingServer(servers.EventBus);

var modelRegistry = builder.AddService<Projects.NovaBrain_ModelRegistry>("model-registry")
    .WithBackingServer(servers.Database(ConnectionNames.RegistryDb))
    .WithBackingServer(servers.EventBus);

var modelServing = builder.AddService<Projects.NovaBrain_ModelServing>("model-serving")
    .WithBackingServer(servers.EventBus);

var dataProcessing = builder.AddService<Projects.NovaBrain_DataProcessing>("data-processing")
    .WithBackingServer(servers.Database(ConnectionNames.DataDb))
    .WithBackingServer(servers.EventBus);

var training = builder.AddService<Projects.NovaBrain_Training>("training")
    .WithBackingServer(servers.Database(ConnectionNames.TrainingDb))
    .WithBackingServer(servers.EventBus);

var parameters = builder.AddService<Projects.NovaBrain_Parameters>("parameters")
    .WithBackingServer(servers.Database(ConnectionNames.ParamsDb))
    .WithBackingServer(servers.EventBus);

var monitoring = builder.AddService<Projects.NovaBrain_Monitoring>("monitoring")
    .WithBackingServer(servers.Database(ConnectionNames.MonitoringDb))
    .WithBackingServer(servers.EventBus);

var logging = builder.AddService<Projects.NovaBrain_Logging>("logging")
    .WithBackingServer(servers.Database(ConnectionNames.LogsDb))
    .WithBackingServer(servers.EventBus);
if (servers.Mongo is { } mongo)
{
    logging.WithBackingServer(mongo);
}

// Gateway: references every service but does not wait for them; it reports their readiness
// itself, so it is up (and says which services are not) while any of them is starting or down.
builder.AddGateway<Projects.NovaBrain_Gateway>("gateway")
    .WithBackingServer(servers.Redis)
    .WithReference(auth)
    .WithReference(modelRegistry)
    .WithReference(modelServing)
    .WithReference(dataProcessing)
    .WithReference(training)
    .WithReference(parameters)
    .WithReference(monitoring)
    .WithReference(logging);

builder.Build().Run();
