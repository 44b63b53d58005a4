using NovaBrain.Training.Apis;
using NovaBrain.Training.Extensions;
using NovaBrain.Training.Grpc;
using NovaBrain.Training.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<TrainingContext>("trainingdb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<TrainingContext>();
builder.AddApplicationServices();
builder.AddTrainingWorker();
builder.AddTrainingGrpc();

var app = builder.Build();

app.MapTemplatesApi();
app.MapJobsApi();
app.MapTrainingGrpc();
app.MapDefaultEndpoints(apiPrefix: "training");

app.Run();
