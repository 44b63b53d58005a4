using NovaBrain.Auth.Account;
using NovaBrain.Auth.Apis;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Server;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<AuthContext>("authdb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<AuthContext>();
builder.AddApplicationServices();
builder.AddAccountManagement();

var app = builder.Build();

app.MapConnectEndpoints();
app.MapAccountEndpoints();
app.MapAccountManagementApi();
app.MapDefaultEndpoints(apiPrefix: "auth");
// Last, so that it follows authentication: the login forms' antiforgery tokens are bound to the caller.
app.UseAntiforgery();

app.Run();
