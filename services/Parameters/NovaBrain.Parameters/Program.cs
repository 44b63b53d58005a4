using NovaBrain.Parameters.Apis;
using NovaBrain.Parameters.Extensions;
using NovaBrain.Parameters.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<ParametersContext>("paramsdb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<ParametersContext>();
builder.AddApplicationServices();

var app = builder.Build();

app.MapBlobsApi();
app.MapUploadsApi();
app.MapParameterSetsApi();
app.MapDefaultEndpoints(apiPrefix: "params");

app.Run();
