using NovaBrain.Logging.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<LoggingContext>("logsdb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<LoggingContext>();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
