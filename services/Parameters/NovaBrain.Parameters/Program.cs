using NovaBrain.Parameters.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<ParametersContext>("paramsdb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<ParametersContext>();

var app = builder.Build();

app.MapDefaultEndpoints(apiPrefix: "params");

app.Run();
