using NovaBrain.Training.Apis;
using NovaBrain.Training.Extensions;
using NovaBrain.Training.Grpc;
using NovaBrain.Training.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// Training:Role: the APIs, a queue worker or one job (a Kubernetes Job's process); only the APIs migrate the database.
var process = builder.AddTrainingRole();
builder.AddRabbitMqEventBus("eventbus").AddOutbox<TrainingContext>();
builder.AddApplicationServices();
builder.AddTrainingWorker(process);
builder.AddTrainingGrpc();
if (process.Role == TrainingRole.Api)
{
    builder.AddStudies();
}

var app = builder.Build();

if (process.Role == TrainingRole.Api)
{
    app.MapTemplatesApi();
    app.MapJobsApi();
    app.MapStudiesApi();
    app.MapTrainingGrpc();
}
app.MapDefaultEndpoints(apiPrefix: "training");

app.Run();
