using NovaBrain.Auth.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<AuthContext>("authdb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<AuthContext>();

var app = builder.Build();

app.MapDefaultEndpoints(apiPrefix: "auth");

app.Run();
