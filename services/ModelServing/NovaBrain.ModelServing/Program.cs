var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRabbitMqEventBus("eventbus");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
