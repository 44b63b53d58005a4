using NovaBrain.DataProcessing.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<DataProcessingContext>("datadb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<DataProcessingContext>();

var app = builder.Build();

app.MapDefaultEndpoints(apiPrefix: "data");

app.Run();
