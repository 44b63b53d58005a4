using NovaBrain.ModelRegistry.Apis;
using NovaBrain.ModelRegistry.Extensions;
using NovaBrain.ModelRegistry.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<RegistryContext>("registrydb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<RegistryContext>();
builder.AddApplicationServices();

var app = builder.Build();

app.MapRegisteredModelsApi();
app.MapModelVersionsApi();
app.MapResolveApi();
app.MapLifecycleApi();
app.MapLineageApi();
app.MapSearchApi();
app.MapDefaultEndpoints(apiPrefix: "registry");

app.Run();
