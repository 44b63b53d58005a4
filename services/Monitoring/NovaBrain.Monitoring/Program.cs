using NovaBrain.Monitoring.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<MonitoringContext>("monitoringdb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<MonitoringContext>();

var app = builder.Build();

app.MapDefaultEndpoints(apiPrefix: "monitoring");

app.Run();
