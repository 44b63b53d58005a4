var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRabbitMqEventBus("eventbus");

var app = builder.Build();

app.MapDefaultEndpoints(apiPrefix: "serving");

app.Run();
