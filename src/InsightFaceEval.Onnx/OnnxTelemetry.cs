using System;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace InsightFaceEval.Onnx
{
    /// <summary>
    /// ONNX Runtime's official builds collect telemetry: on Linux and macOS they write a device id and an event
    /// database under the user's home (~/.cache/Microsoft/DeveloperTools/.onnxruntime) when the environment is
    /// created; on Windows they emit ETW events. This module runs on people's evaluation data and writes only
    /// where it is told to, so telemetry is off before the environment exists (the runtime reads its opt-out
    /// variable once, at creation) and off again through the API once it does.
    /// </summary>
    internal static class OnnxTelemetry
    {
        // ORT 1.31 reads ORT_DISABLE_TELEMETRY; later releases name it ORT_TELEMETRY_DISABLED. A value the user set wins.
        private static readonly string[] OptOutVariables = { "ORT_DISABLE_TELEMETRY", "ORT_TELEMETRY_DISABLED" };
        private static readonly object Gate = new object();
        private static bool _done;

        /// <summary>Call before the first session is created. Idempotent and thread-safe.</summary>
        public static void TurnOff()
        {
            lock (Gate)
            {
                if (_done) { return; }
                foreach (var name in OptOutVariables)
                {
                    if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) { continue; }
                    Environment.SetEnvironmentVariable(name, "1");
                    SetNativeVariable(name, "1");
                }

                OrtEnv.Instance().DisableTelemetryEvents();
                _done = true;
            }
        }

        // On Unix .NET keeps its own copy of the environment; the native runtime reads the C library's.
        private static void SetNativeVariable(string name, string value)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) { return; }
            try
            {
                SetEnvGlibc(name, value, 0);
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
            {
                try
                {
                    SetEnvLibc(name, value, 0);
                }
                catch (Exception inner) when (inner is DllNotFoundException || inner is EntryPointNotFoundException)
                {
                    // No C library to tell: DisableTelemetryEvents below still stops the events.
                }
            }
        }

        [DllImport("libc.so.6", EntryPoint = "setenv")]
        private static extern int SetEnvGlibc([MarshalAs(UnmanagedType.LPStr)] string name, [MarshalAs(UnmanagedType.LPStr)] string value, int overwrite);

        [DllImport("libc", EntryPoint = "setenv")]
        private static extern int SetEnvLibc([MarshalAs(UnmanagedType.LPStr)] string name, [MarshalAs(UnmanagedType.LPStr)] string value, int overwrite);
    }
}
