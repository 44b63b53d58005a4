using NovaBrain.Auth.Account;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Server;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<AuthContext>("authdb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<AuthContext>();
builder.AddApplicationServices();

var app = builder.Build();

app.UseAntiforgery();
app.MapConnectEndpoints();
app.MapAccountEndpoints();
app.MapDefaultEndpoints(apiPrefix: "auth");

app.Run();
