using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using InsightFaceEval.Metrics;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Runs Core work on a background task while the pipeline thread reports progress, as PSTask does: the work
    /// never touches the host, the pipeline thread polls and writes one progress record stream (one ActivityId,
    /// ending with Completed), and StopProcessing cancels the one token every wait honours.
    /// </summary>
    internal static class BackgroundWork
    {
        public static T Run<T>(PSCmdlet cmdlet, int activityId, string activity, string errorIdPrefix, MeasurementProgress progress, Func<T> work, CancellationToken cancellationToken)
        {
            var task = Task.Run(work, cancellationToken);
            var record = new ProgressRecord(activityId, activity, "Starting");
            bool stopping = false;
            try
            {
                while (!task.Wait(250))
                {
                    record.StatusDescription = progress.Activity;
                    record.PercentComplete = progress.Percent;
                    cmdlet.WriteProgress(record);
                }
            }
            catch (AggregateException) when (task.IsCanceled || cancellationToken.IsCancellationRequested)
            {
                stopping = true;
            }
            catch (PipelineStoppedException)
            {
                stopping = true;
                throw;
            }
            catch (AggregateException ex)
            {
                var inner = ex.InnerException ?? ex;
                cmdlet.ThrowTerminatingError(new ErrorRecord(inner, errorIdPrefix + "Failed", ErrorCategory.NotSpecified, null));
            }
            finally
            {
                if (!stopping)
                {
                    record.RecordType = ProgressRecordType.Completed;
                    record.StatusDescription = "Done";
                    record.PercentComplete = 100;
                    cmdlet.WriteProgress(record);
                }
            }

            if (stopping || task.IsCanceled) { throw new PipelineStoppedException(); }
            return task.Result;
        }
    }
}
