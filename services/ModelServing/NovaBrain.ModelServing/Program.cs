using NovaBrain.Contracts.IntegrationEvents.Registry;
using NovaBrain.ModelServing.Apis;
using NovaBrain.ModelServing.Extensions;
using NovaBrain.ModelServing.IntegrationEvents.EventHandling;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRabbitMqEventBus("eventbus")
    .AddSubscription<ModelAliasMoved, ModelAliasMovedHandler>()
    .AddSubscription<ModelVersionStageChanged, ModelVersionStageChangedHandler>();
builder.AddApplicationServices();
builder.AddInferenceGrpc();

var app = builder.Build();

app.MapDeploymentsApi();
app.MapInferenceProtocolApi();
app.MapInferenceGrpc();
app.MapDefaultEndpoints(apiPrefix: "serving");

app.Run();
