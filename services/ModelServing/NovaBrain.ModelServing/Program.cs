using NovaBrain.ModelServing.Apis;
using NovaBrain.ModelServing.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRabbitMqEventBus("eventbus");
builder.AddApplicationServices();
builder.AddInferenceGrpc();

var app = builder.Build();

app.MapDeploymentsApi();
app.MapInferenceProtocolApi();
app.MapInferenceGrpc();
app.MapDefaultEndpoints(apiPrefix: "serving");

app.Run();
