using NovaBrain.Parameters.Apis;
using NovaBrain.Parameters.Extensions;
using NovaBrain.Parameters.Grpc;
using NovaBrain.Parameters.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<ParametersContext>("paramsdb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<ParametersContext>();
builder.AddApplicationServices();
builder.AddParameterStoreGrpc();

var app = builder.Build();

app.MapBlobsApi();
app.MapUploadsApi();
app.MapParameterSetsApi();
app.MapTensorsApi();
app.MapConversionsApi();
app.MapParameterStoreGrpc();
app.MapDefaultEndpoints(apiPrefix: "params");

app.Run();
