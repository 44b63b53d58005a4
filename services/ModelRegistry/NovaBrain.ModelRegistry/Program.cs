using NovaBrain.ModelRegistry.Apis;
using NovaBrain.ModelRegistry.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<RegistryContext>("registrydb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<RegistryContext>();

var app = builder.Build();

app.MapRegisteredModelsApi();
app.MapDefaultEndpoints(apiPrefix: "registry");

app.Run();
