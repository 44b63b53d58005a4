using NovaBrain.ModelRegistry.Apis;
using NovaBrain.ModelRegistry.Extensions;
using NovaBrain.ModelRegistry.Grpc;
using NovaBrain.ModelRegistry.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<RegistryContext>("registrydb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<RegistryContext>();
builder.AddApplicationServices();
builder.AddRegistryGrpc();

var app = builder.Build();

app.MapRegisteredModelsApi();
app.MapModelVersionsApi();
app.MapResolveApi();
app.MapLifecycleApi();
app.MapLineageApi();
app.MapSearchApi();
app.MapRegistryGrpc();
app.MapDefaultEndpoints(apiPrefix: "registry");

app.Run();
