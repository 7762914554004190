# Get-FaceEmbedding against the real local endpoint (out/LocalEndpoint) over loopback HTTP.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:peers = Get-TestPeersPath -File 'seed_client.py'
    $script:seedClient = if ($peers) { Join-Path $peers 'seed_client.py' }
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    $script:manifest = Get-TestModuleManifest
    Import-Module $script:manifest -Force
    $script:root = Join-Path ([IO.Path]::GetTempPath()) ('ife-embed-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $script:root
    $script:crops = Join-Path $script:root 'crops'
    # 24 crops in 8 identity folders; the first carries the endpoint's no-face marker.
    $script:files = @(New-TestCropSet -Path $script:crops -Count 24 -Identities 8 -NoFaceCount 1)
    $script:noFaceFile = $script:files[0].FullName
    $script:endpoints = [System.Collections.Generic.List[object]]::new()

    function script:New-Endpoint {
        $e = Start-TestEndpoint @args
        $script:endpoints.Add($e)
        $e
    }

    function script:New-StorePath { Join-Path $script:root ('store-' + [guid]::NewGuid().ToString('N').Substring(0, 6)) }


    function script:Get-StoreHashes {
        <# Relative .npy path -> SHA-256 of its bytes, for one model folder. #>
        param([string] $ModelFolder)
        $map = @{}
        foreach ($f in [IO.Directory]::EnumerateFiles($ModelFolder, '*.npy', [IO.SearchOption]::AllDirectories)) {
            $map[$f.Substring($ModelFolder.TrimEnd('/', '\').Length + 1)] = (Get-FileHash -LiteralPath $f -Algorithm SHA256).Hash
        }
        $map
    }

    function script:Start-Isolated {
        <# Starts a script in a fresh runspace with the module; Receive-Isolated collects it. #>
        param([string] $Script, [hashtable] $Parameters = @{})
        $iss = [initialsessionstate]::CreateDefault2()
        $iss.ImportPSModule($script:manifest)
        $ps = [powershell]::Create($iss)
        $null = $ps.AddScript($Script)
        foreach ($key in $Parameters.Keys) { $null = $ps.AddParameter($key, $Parameters[$key]) }
        [pscustomobject]@{ PowerShell = $ps; Async = $ps.BeginInvoke() }
    }

    function script:Receive-Isolated {
        param($Started)
        try {
            $output = @($Started.PowerShell.EndInvoke($Started.Async))
            [pscustomobject]@{
                Embeddings = @($output | Where-Object { $_ -is [InsightFaceEval.FaceEmbedding] })
                Error      = @($Started.PowerShell.Streams.Error)
                Verbose    = @($Started.PowerShell.Streams.Verbose)
            }
        }
        finally { $Started.PowerShell.Dispose() }
    }

    $script:embedScript = {
        param($Files, $Url, $Store, [string[]] $Model = 'dingo', [hashtable] $Extra = @{})
        $VerbosePreference = 'Continue'
        $Files | Get-FaceEmbedding -Model $Model -ServerUrl $Url -OutputDirectory $Store @Extra
    }.ToString()
}

AfterAll {
    $script:endpoints | Stop-TestEndpoint
    if ($script:root -and (Test-Path $script:root)) { Remove-Item $script:root -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Get-FaceEmbedding' {
    Context 'a healthy endpoint' {
        BeforeAll {
            $script:ep = New-Endpoint -ServiceTimeMs 2
            $script:store = New-StorePath
            $script:run = Invoke-TestIsolated $script:embedScript @{ Files = $script:files; Url = $script:ep.Url; Store = $script:store; Model = @('dingo', 'eagle-2') }
            $script:stats = Get-TestEndpointStats $script:ep
        }

        It 'writes one FaceEmbedding per image and model, labelled from the identity folders' {
            $run.Terminating | Should -BeNullOrEmpty
            $run.Embeddings.Count | Should -Be 48
            foreach ($e in $run.Embeddings | Where-Object Path -NE $noFaceFile) {
                $e.Status | Should -Be 'Success'
                $e.Identity | Should -Be (Split-Path (Split-Path $e.Path) -Leaf)
                $e.RelativePath | Should -Be "$($e.Identity)/$(Split-Path $e.Path -Leaf)"
                $e.Dimension | Should -Be $(if ($e.Model -eq 'eagle-2') { 1024 } else { 512 })
                $e.Vector.Count | Should -Be $e.Dimension
                [Math]::Sqrt(($e.Vector | ForEach-Object { [double]$_ * $_ } | Measure-Object -Sum).Sum) | Should -BeGreaterThan 0.999
                $e.Sha256 | Should -Be (Get-FileHash -LiteralPath $e.Path -Algorithm SHA256).Hash.ToLowerInvariant()
                $e.FromStore | Should -BeFalse
                $e.Elapsed | Should -BeGreaterThan ([TimeSpan]::Zero)
            }
        }

        It 'stores each vector as a .npy under the model and the dataset folders, with an index line' {
            foreach ($e in $run.Embeddings | Where-Object Status -EQ 'Success') {
                $e.EmbeddingPath | Should -Be (Join-Path (Join-Path $store $e.Model) ($e.RelativePath + '.npy'))
                $e.EmbeddingPath | Should -Exist
            }
            $index = @(Get-Content (Join-Path $store 'dingo/index.jsonl') | ConvertFrom-Json)
            $index.Count | Should -Be 24
            $line = $index | Where-Object relativePath -EQ $run.Embeddings[0].RelativePath
            $line.sha256 | Should -Be $run.Embeddings[0].Sha256
            $line.moduleVersion | Should -Be (Import-PowerShellDataFile $manifest).ModuleVersion
            $line.endpoint | Should -Match '^[0-9a-f]{16}$'
            $line.time | Should -Not -BeNullOrEmpty
        }

        It 'sends every file''s bytes unchanged, under a neutral name unless asked' {
            foreach ($f in $files) {
                $sha = (Get-FileHash -LiteralPath $f.FullName -Algorithm SHA256).Hash.ToLowerInvariant()
                $stats.images[$sha].models['dingo'].requests | Should -Be 1
                $stats.images[$sha].fileNames | Should -Be @("$sha.png")
            }
            $one = $files[5]
            $null = Invoke-TestIsolated $embedScript @{ Files = $one; Url = $ep.Url; Store = (New-StorePath); Extra = @{ SendFileName = $true } }
            $sha = (Get-FileHash -LiteralPath $one.FullName -Algorithm SHA256).Hash.ToLowerInvariant()
            (Get-TestEndpointStats $ep).images[$sha].fileNames | Should -Contain $one.Name
        }

        It 'reports a failure to acquire under its own ErrorId and keeps the object, and the rest goes on' {
            $noFace = @($run.Error | Where-Object { $_.FullyQualifiedErrorId -like 'GetFaceEmbeddingNoFace,*' })
            $noFace.Count | Should -Be 2
            $noFace[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $noFace[0].TargetObject | Should -Be $noFaceFile
            $objects = @($run.Embeddings | Where-Object Path -EQ $noFaceFile)
            $objects.Status | Should -Be @('NoFace', 'NoFace')
            $objects.Dimension | Should -Be @(0, 0)
            @($run.Error | Where-Object { $_.FullyQualifiedErrorId -notlike 'GetFaceEmbeddingNoFace,*' }) | Should -BeNullOrEmpty
            (Get-Content (Join-Path $store 'dingo/index.jsonl') | ConvertFrom-Json | Where-Object status -EQ 'NoFace').relativePath |
                Should -Be $objects[0].RelativePath
        }

        It 'uploads nothing again on a rerun, not even the failure, unless asked' {
            $before = (Get-TestEndpointStats $ep).requests
            $again = Invoke-TestIsolated $embedScript @{ Files = $files; Url = $ep.Url; Store = $store; Model = @('dingo', 'eagle-2') }
            (Get-TestEndpointStats $ep).requests | Should -Be $before
            $again.Embeddings.Count | Should -Be 48
            @($again.Embeddings | Where-Object { -not $_.FromStore }) | Should -BeNullOrEmpty
            @($again.Error | Where-Object { $_.FullyQualifiedErrorId -like 'GetFaceEmbeddingNoFace,*' }).Count | Should -Be 2
            $first = $run.Embeddings | Where-Object { $_.Model -eq 'eagle-2' -and $_.Status -eq 'Success' } | Select-Object -First 1
            $stored = $again.Embeddings | Where-Object { $_.Model -eq 'eagle-2' -and $_.RelativePath -eq $first.RelativePath }
            $stored.Vector | Should -Be $first.Vector

            $retry = Invoke-TestIsolated $embedScript @{ Files = $files; Url = $ep.Url; Store = $store; Extra = @{ RetryNoFace = $true } }
            (Get-TestEndpointStats $ep).requests | Should -Be ($before + 1)
            @($retry.Embeddings | Where-Object { -not $_.FromStore }).Path | Should -Be $noFaceFile

            $null = Invoke-TestIsolated $embedScript @{ Files = $files; Url = $ep.Url; Store = $store; Extra = @{ Force = $true } }
            (Get-TestEndpointStats $ep).requests | Should -Be ($before + 1 + 24)
        }

        It 'takes RelativePath and Identity from input objects, else keys by -DatasetRoot' {
            $objects = $files[1..2] | ForEach-Object { [pscustomobject]@{ Path = $_.FullName; RelativePath = "gallery/zed/$($_.Name)"; Identity = 'zed' } }
            $store2 = New-StorePath
            $r = Invoke-TestIsolated $embedScript @{ Files = $objects; Url = $ep.Url; Store = $store2 }
            $r.Embeddings.RelativePath | Sort-Object | Should -Be @($objects.RelativePath | Sort-Object)
            $r.Embeddings.Identity | Should -Be @('zed', 'zed')
            Join-Path $store2 "dingo/gallery/zed/$($files[1].Name).npy" | Should -Exist

            $byRoot = Invoke-TestIsolated { param($File, $Url, $Store, $Root) $File | Get-FaceEmbedding -Model dingo -ServerUrl $Url -OutputDirectory $Store -DatasetRoot $Root }.ToString() @{
                File = $files[3].FullName; Url = $ep.Url; Store = $store2; Root = (Split-Path $crops) }
            $byRoot.Embeddings[0].RelativePath | Should -Be "crops/$(Split-Path (Split-Path $files[3].FullName) -Leaf)/$($files[3].Name)"
        }

        It 'warns once about lossy inputs, with their count' {
            $mixed = @(New-TestCropSet -Path (Join-Path $root 'lossy') -Count 3 -JpegCount 2 -FirstIndex 500)
            $r = Invoke-TestIsolated $embedScript @{ Files = $mixed; Url = $ep.Url; Store = (New-StorePath) }
            $r.Embeddings.Count | Should -Be 3
            $r.Warning.Count | Should -Be 1
            $r.Warning[0].Message | Should -Match '^2 input image\(s\) are JPEG'
        }

        It 'reports a missing file and goes on' {
            $missing = Join-Path $crops 'nobody/missing.png'
            $r = Invoke-TestIsolated { param($Files, $Url, $Store) Get-FaceEmbedding -LiteralPath $Files -Model dingo -ServerUrl $Url -OutputDirectory $Store }.ToString() @{
                Files = @($missing, $files[4].FullName); Url = $ep.Url; Store = (New-StorePath) }
            $r.Error.Count | Should -Be 1
            $r.Error[0].FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingFileNotFound,*'
            $r.Error[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $r.Error[0].TargetObject | Should -Be $missing
            $r.Embeddings.Count | Should -Be 1
        }

        It 'takes the URL from $env:INSIGHTFACE_SERVER_URL, and says how to set it when there is none' {
            $r = Invoke-TestIsolated { param($File, $Url, $Store) $env:INSIGHTFACE_SERVER_URL = $Url; try { Get-FaceEmbedding $File -Model dingo -OutputDirectory $Store } finally { $env:INSIGHTFACE_SERVER_URL = $null } }.ToString() @{
                File = $files[6].FullName; Url = $ep.Url; Store = (New-StorePath) }
            $r.Embeddings.Count | Should -Be 1

            $none = Invoke-TestIsolated { param($File, $Store) $env:INSIGHTFACE_SERVER_URL = $null; Get-FaceEmbedding $File -Model dingo -OutputDirectory $Store }.ToString() @{
                File = $files[6].FullName; Store = (New-StorePath) }
            $none.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingServerUrlMissing*'
            $none.Terminating.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $none.Terminating.Exception.Message | Should -Match 'INSIGHTFACE_SERVER_URL'
        }

        It 'takes the URL as a SecureString, as the help example prints it, and shows it nowhere' {
            Import-Module (Join-Path $PSScriptRoot 'WindowsPowerShellSyntax.psm1') -Force
            $code = Get-HelpExampleCode 'Get-FaceEmbedding' 'Keep the URL out of scripts as a SecureString'
            $code | Should -Match '-ServerUrl \$url'

            # Run exactly as printed, from a folder with ./crops, with the URL only in the environment variable.
            $work = Join-Path $script:root 'secure'
            foreach ($f in $script:files[1..3]) {
                $folder = Join-Path $work ('crops/' + $f.Directory.Name)
                $null = New-Item -ItemType Directory -Path $folder -Force
                Copy-Item -LiteralPath $f.FullName -Destination $folder
            }
            $runner = {
                param($Code, $Url, $Work)
                $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
                $env:INSIGHTFACE_SERVER_URL = $Url
                Push-Location -LiteralPath $Work
                try { . ([scriptblock]::Create($Code)) }
                finally { Pop-Location; $env:INSIGHTFACE_SERVER_URL = $null }
            }.ToString()
            $r = Invoke-TestIsolated $runner @{ Code = $code; Url = $script:ep.Url; Work = $work }
            $r.Terminating | Should -BeNullOrEmpty
            $r.Error.Count | Should -Be 0 -Because ($r.Error | Out-String)
            $r.Embeddings.Count | Should -Be 3
            Join-Path $work 'embeddings/dingo/index.jsonl' | Should -Exist

            # A failing run keeps the SecureString's URL out of its error record and the bound parameters it carries.
            $closed = $script:ep.Url -replace '127\.0\.0\.1:\d+', '127.0.0.1:9'
            $failing = {
                param($Url, $File, $Store)
                $VerbosePreference = 'Continue'
                $secure = ConvertTo-SecureString $Url -AsPlainText -Force
                Get-FaceEmbedding -LiteralPath $File -Model dingo -ServerUrl $secure -OutputDirectory $Store -MaximumRetryCount 0
            }.ToString()
            $f = Invoke-TestIsolated $failing @{ Url = $closed; File = $script:files[4].FullName; Store = (New-StorePath) }
            $f.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingEndpointUnreachable*'

            # What binding makes of a SecureString (what BoundParameters and hosts hold) prints as the placeholder.
            $secure = ConvertTo-SecureString $closed -AsPlainText -Force
            $bound = [InsightFaceEval.Commands.EndpointTransformationAttribute]::new().Transform($null, $secure)
            "$bound" | Should -Be '<endpoint>'
            ($bound | Format-List * -Force | Out-String) | Should -Not -Match $script:ep.Token

            $everything = foreach ($run in $r, $f) {
                foreach ($stream in 'Output', 'Error', 'Warning', 'Verbose', 'Debug', 'Information', 'Progress') {
                    foreach ($record in $run.$stream) { $record | Format-List * -Force | Out-String -Width 4096 }
                }
                if ($run.Terminating) {
                    $run.Terminating | Format-List * -Force | Out-String -Width 4096
                    [System.Management.Automation.PSSerializer]::Serialize($run.Terminating, 3)
                    $run.Terminating.InvocationInfo | Format-List * | Out-String -Width 4096
                    $run.Terminating.InvocationInfo.BoundParameters | Out-String -Width 4096
                }
            }
            $all = $everything -join "`n"
            $all.Length | Should -BeGreaterThan 1000
            $all | Should -Not -Match $script:ep.Token
            $all | Should -Not -Match ([regex]::Escape($script:ep.Authority))
            $all | Should -Not -Match '127\.0\.0\.1:9/'
            foreach ($file in Get-ChildItem $work -Recurse -File) {
                $content = [IO.File]::ReadAllText($file.FullName, [Text.Encoding]::Latin1)
                $content.Contains($script:ep.Token) | Should -BeFalse -Because $file.FullName
                $content.Contains($script:ep.Authority) | Should -BeFalse -Because $file.FullName
            }
        }
    }

    Context 'numpy interoperability' {
        BeforeAll {
            # Numbers just past float32 midpoints: only double-then-float32 reading (numpy's) gives numpy's bytes.
            $script:tieEp = New-Endpoint -JsonNumbers near-ties
            $script:tieStore = New-StorePath
            $script:tieFiles = $files[1..6]
            $script:tieRun = Invoke-TestIsolated $embedScript @{ Files = $tieFiles; Url = $tieEp.Url; Store = $tieStore; Model = @('dingo', 'eagle-2') }
        }

        It 'stores .npy bytes equal to numpy''s np.save(np.asarray(feature, dtype=np.float32)) for the same reply' {
            if (-not (Test-PythonModule numpy, requests)) { Set-ItResult -Skipped -Because 'python3-numpy and python3-requests are not installed (apt-get install python3-numpy python3-requests)'; return }
            $tieRun.Embeddings.Count | Should -Be 12
            $python = Get-TestPython
            $script = @'
import io, sys, hashlib, requests, numpy as np
url, model = sys.argv[1], sys.argv[2]
for path in sys.argv[3:]:
    with open(path, "rb") as f:
        reply = requests.post(url, data={"model_name": model}, files={"image": ("x.png", f, "application/octet-stream")}, timeout=60)
    reply.raise_for_status()
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(reply.json()["feature"], dtype=np.float32))
    print(hashlib.sha256(buffer.getvalue()).hexdigest())
'@
            foreach ($model in 'dingo', 'eagle-2') {
                $expected = @(& $python -c $script $tieEp.Url $model @($tieFiles.FullName))
                $LASTEXITCODE | Should -Be 0
                $actual = foreach ($f in $tieFiles) {
                    $e = $tieRun.Embeddings | Where-Object { $_.Path -eq $f.FullName -and $_.Model -eq $model }
                    (Get-FileHash -LiteralPath $e.EmbeddingPath -Algorithm SHA256).Hash.ToLowerInvariant()
                }
                $actual | Should -Be $expected
            }
        }

        It 'writes the same .npy bytes as the vendor''s seed_client.py against the same endpoint' {
            if (-not (Test-PythonModule numpy, requests)) { Set-ItResult -Skipped -Because 'python3-numpy and python3-requests are not installed (apt-get install python3-numpy python3-requests)'; return }
            if (-not $seedClient) { Set-ItResult -Skipped -Because (Get-TestPeersSkipReason -File 'seed_client.py'); return }
            $python = Get-TestPython
            $peers = Split-Path $seedClient
            foreach ($f in $tieFiles[0..2]) {
                $out = Join-Path $root "seed-$($f.BaseName).npy"
                Push-Location $peers
                try { $log = & $python seed_client.py --server-url $tieEp.Url --model-name eagle-2 --image $f.FullName --output $out 2>&1 }
                finally { Pop-Location }
                $LASTEXITCODE | Should -Be 0 -Because "$log"
                $e = $tieRun.Embeddings | Where-Object { $_.Path -eq $f.FullName -and $_.Model -eq 'eagle-2' }
                (Get-FileHash $out).Hash | Should -Be (Get-FileHash $e.EmbeddingPath).Hash
            }
        }
    }

    Context 'faults' {
        BeforeAll {
            $script:many = @(New-TestCropSet -Path (Join-Path $root 'many') -Count 1000 -Identities 50 -Size 40 -FirstIndex 10000)
        }

        It 'ends every one of 1,000 images with the fault-free embedding through 10% injected faults, uploading none twice and staying within the retry budget' {
            $faulty = New-Endpoint -FaultRate 0.1 -FaultKinds 500, 503, drop, slow, malformed -FaultSeed 7 -SlowMs 5000
            $clean = New-Endpoint
            $faultyStore = New-StorePath
            $cleanStore = New-StorePath
            $retries = 6
            # Both runs at once: the faulty one mostly waits (timeouts, backoff).
            $startedFaulty = Start-Isolated $embedScript @{ Files = $many; Url = $faulty.Url; Store = $faultyStore; Extra = @{ ThrottleLimit = 32; TimeoutSec = 2; MaximumRetryCount = $retries } }
            $startedClean = Start-Isolated $embedScript @{ Files = $many; Url = $clean.Url; Store = $cleanStore; Extra = @{ ThrottleLimit = 16 } }
            $r = Receive-Isolated $startedFaulty
            $c = Receive-Isolated $startedClean

            $r.Error | Should -BeNullOrEmpty
            @($r.Embeddings | Where-Object Status -EQ 'Success').Count | Should -Be 1000
            @($c.Embeddings | Where-Object Status -EQ 'Success').Count | Should -Be 1000
            $faultyHashes = Get-StoreHashes (Join-Path $faultyStore 'dingo')
            $cleanHashes = Get-StoreHashes (Join-Path $cleanStore 'dingo')
            $faultyHashes.Count | Should -Be 1000
            @($cleanHashes.Keys | Where-Object { $faultyHashes[$_] -ne $cleanHashes[$_] }) | Should -BeNullOrEmpty

            $stats = Get-TestEndpointStats $faulty
            $injected = ($stats.faults.Values | Measure-Object -Sum).Sum
            $injected | Should -BeGreaterThan 50 -Because 'the faults must really happen'
            $stats.images.Count | Should -Be 1000
            @($stats.images.Values | Where-Object { $_.models['dingo'].requests -gt 1 + $retries }) | Should -BeNullOrEmpty
            # Each fault costs exactly one retry. On a loaded machine a fault-free request can also
            # outlast -TimeoutSec 2 and be retried: such extra retries must say they timed out.
            $retried = @($r.Verbose | Where-Object Message -Match '^Retrying ')
            $stats.requests | Should -Be (1000 + $retried.Count) -Because 'every request after an image''s first is a retry the user is told of'
            $retried.Count | Should -BeGreaterOrEqual $injected
            $timedOut = @($retried | Where-Object Message -Match 'did not reply within').Count
            ($retried.Count - $injected) | Should -BeLessOrEqual $timedOut -Because 'a retry beyond the injected faults comes only from a request that outlasted -TimeoutSec'
            # No image is sent again after a success it received. The server may still count two successes for one
            # image when the client gave up on a reply the server finished later: at most one per timed-out retry.
            @($stats.images.Values | Where-Object { $_.models['dingo'].successes -lt 1 }) | Should -BeNullOrEmpty
            $twice = @($stats.images.Values | Where-Object { $_.models['dingo'].successes -gt 1 }).Count
            $twice | Should -BeLessOrEqual $timedOut -Because 'an image is uploaded again after a success only when its reply outlasted -TimeoutSec'
        }

        It 'gives up on an image after -MaximumRetryCount retries with an error, and goes on' {
            $down = New-Endpoint -FaultRate 1 -FaultKinds 503
            $r = Invoke-TestIsolated $embedScript @{ Files = $files[1..3]; Url = $down.Url; Store = (New-StorePath); Extra = @{ MaximumRetryCount = 1 } }
            $r.Terminating | Should -BeNullOrEmpty
            $r.Error.Count | Should -Be 3
            $r.Error | ForEach-Object {
                $_.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingServerError,*'
                $_.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
                $_.Exception.Message | Should -Match 'after 2 attempt'
            }
            (Get-TestEndpointStats $down).requests | Should -Be 6
        }

        It 'stops at once when the endpoint cannot be reached at all' {
            $gone = New-Endpoint
            Stop-TestEndpoint $gone
            $r = Invoke-TestIsolated $embedScript @{ Files = $files[1..8]; Url = $gone.Url; Store = (New-StorePath); Extra = @{ MaximumRetryCount = 1; ThrottleLimit = 8 } }
            $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingEndpointUnreachable*'
            $r.Terminating.CategoryInfo.Category | Should -Be 'ConnectionError'
            $r.Embeddings | Should -BeNullOrEmpty
        }

        It 'refuses a reply whose dimension differs from what the model gave before, and stores nothing for it' {
            $store = New-StorePath
            $good = New-Endpoint
            $null = Invoke-TestIsolated $embedScript @{ Files = $files[1..2]; Url = $good.Url; Store = $store }
            $changed = New-Endpoint -FaultRate 1 -FaultKinds dimension
            $r = Invoke-TestIsolated $embedScript @{ Files = $files[3..4]; Url = $changed.Url; Store = $store; Extra = @{ MaximumRetryCount = 1 } }
            $r.Error.Count | Should -Be 2
            $r.Error[0].FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingDimensionChanged,*'
            $r.Error[0].CategoryInfo.Category | Should -Be 'InvalidResult'
            $r.Error[0].Exception.Message | Should -Match '256 values where model ''dingo'' gave 512'
            @(Get-ChildItem (Join-Path $store 'dingo') -Recurse -Filter *.npy).Count | Should -Be 2
        }

        It 'warns once per model about a different model_name in replies and about vectors that are not unit length' {
            $odd = New-Endpoint -FaultRate 1 -FaultKinds unnormalized -ReplyModelName @{ eagle = 'eagle-2024' }
            $store = New-StorePath
            $r = Invoke-TestIsolated $embedScript @{ Files = $files[1..3]; Url = $odd.Url; Store = $store; Model = 'eagle' }
            $r.Embeddings.Model | Should -Be @('eagle-2024', 'eagle-2024', 'eagle-2024')
            $r.Warning.Count | Should -Be 2
            $r.Warning[0].Message | Should -Match "requested, but the endpoint replied with model_name 'eagle-2024'"
            $r.Warning[1].Message | Should -Match "^3 embedding\(s\) from model 'eagle' have a norm outside"
            Join-Path $store 'eagle/index.jsonl' | Should -Exist
        }
    }

    Context 'refusals' {
        It 'stops the run after one request when the endpoint refuses the model' {
            $ep = New-Endpoint
            $r = Invoke-TestIsolated $embedScript @{ Files = $files[1..20]; Url = $ep.Url; Store = (New-StorePath); Model = 'ostrich'; Extra = @{ ThrottleLimit = 8 } }
            $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingModelRejected*'
            $r.Terminating.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $r.Terminating.Exception.Message | Should -Match "model 'ostrich'.*not available"
            $r.Embeddings | Should -BeNullOrEmpty
            (Get-TestEndpointStats $ep).requests | Should -Be 1
        }

        It 'stops the run after one request when the endpoint refuses access' {
            $ep = New-Endpoint -RequireToken
            $r = Invoke-TestIsolated $embedScript @{ Files = $files[1..20]; Url = "$($ep.BaseUrl)/v1/expired/extract"; Store = (New-StorePath); Extra = @{ ThrottleLimit = 8 } }
            $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingUnauthorized*'
            $r.Terminating.CategoryInfo.Category | Should -Be 'PermissionDenied'
            (Get-TestEndpointStats $ep).requests | Should -Be 1
        }
    }

    Context 'rate limits' {
        It 'waits out 429 replies as Retry-After says and finishes every image' {
            $ep = New-Endpoint -RateLimit 8 -RetryAfter date
            $r = Invoke-TestIsolated $embedScript @{ Files = $files[1..10]; Url = $ep.Url; Store = (New-StorePath); Extra = @{ ThrottleLimit = 4 } }
            $r.Error | Should -BeNullOrEmpty
            $r.Embeddings.Count | Should -Be 10
            $stats = Get-TestEndpointStats $ep
            $stats.rateLimited | Should -BeGreaterThan 0
            @($r.Verbose | Where-Object Message -Match 'answered 429').Count | Should -Be $stats.rateLimited
            foreach ($image in $stats.images.Values) { $image.successes | Should -Be 1 }
        }

        It 'cuts an endless Retry-After to -MaximumRetryAfterSec and still finishes every image' {
            # Issue 12, item 4: Retry-After: 999999999 used to end every rate-limited image in UnexpectedError.
            $ep = New-Endpoint -RateLimit 5 -RetryAfterValue '999999999'
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $r = Invoke-TestIsolated $embedScript @{ Files = $files[1..6]; Url = $ep.Url; Store = (New-StorePath); Extra = @{ ThrottleLimit = 4; MaximumRetryAfterSec = 1 } }
            $watch.Stop()
            $r.Error | Should -BeNullOrEmpty
            $r.Embeddings.Count | Should -Be 6
            (Get-TestEndpointStats $ep).rateLimited | Should -BeGreaterThan 0
            @($r.Verbose | Where-Object Message -Match 'asks for 999999999 s; waiting at most 1 s \(-MaximumRetryAfterSec\)').Count | Should -BeGreaterThan 0
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 90
        }

        It 'spaces requests by -MaxRequestsPerSecond' {
            $ep = New-Endpoint
            $r = Invoke-TestIsolated $embedScript @{ Files = $files[1..13]; Url = $ep.Url; Store = (New-StorePath); Extra = @{ ThrottleLimit = 8; MaxRequestsPerSecond = 10 } }
            $r.Embeddings.Count | Should -Be 13
            $arrivals = (Get-TestEndpointStats $ep).arrivalsMs
            # 13 requests at 10 per second span at least 12 intervals of 100 ms; the first one also opens the
            # connection, so the server may log it late: count from the second.
            ($arrivals[-1] - $arrivals[1]) | Should -BeGreaterOrEqual 1100
        }
    }

    Context 'interruption and concurrent runs' {
        It 'loses nothing stored when stopped, and the rerun uploads only what was not stored' {
            $ep = New-Endpoint -ServiceTimeMs 100
            $store = New-StorePath
            $set = $files[1..23]
            $iss = [initialsessionstate]::CreateDefault2()
            $iss.ImportPSModule($manifest)
            $ps = [powershell]::Create($iss)
            $null = $ps.AddScript($embedScript).AddParameter('Files', $set).AddParameter('Url', $ep.Url).AddParameter('Store', $store).AddParameter('Extra', @{ ThrottleLimit = 2 })
            $async = $ps.BeginInvoke()
            $index = Join-Path $store 'dingo/index.jsonl'
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not ((Test-Path $index) -and @(Get-Content $index).Count -ge 6) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $ps.Stop()
            $ps.Dispose()

            Get-ChildItem $store -Recurse -Filter *.tmp | Should -BeNullOrEmpty
            $stored = @(Get-Content $index | ConvertFrom-Json)
            $stored.Count | Should -BeLessThan 23 -Because 'the run was stopped halfway'
            foreach ($line in $stored) { Join-Path $store "dingo/$($line.embedding)" | Should -Exist }
            @(Get-ChildItem (Join-Path $store 'dingo') -Recurse -Filter *.npy).Count | Should -Be $stored.Count

            $before = Get-TestEndpointStats $ep
            $rerun = Invoke-TestIsolated $embedScript @{ Files = $set; Url = $ep.Url; Store = $store }
            $after = Get-TestEndpointStats $ep
            $rerun.Embeddings.Count | Should -Be 23
            @($rerun.Embeddings | Where-Object FromStore).Count | Should -Be $stored.Count
            ($after.requests - $before.requests) | Should -Be (23 - $stored.Count)
            foreach ($line in $stored) { $after.images[$line.sha256].requests | Should -Be 1 }
        }

        It 'never pays twice when two runs use one store at once: the second is refused or finds the work stored, and the store stays whole' {
            $ep = New-Endpoint -ServiceTimeMs 5
            $store = New-StorePath
            $set = $many[0..119]
            $runs = foreach ($i in 1, 2) { Start-Isolated $embedScript @{ Files = $set; Url = $ep.Url; Store = $store; Model = @('dingo', 'eagle') } }
            $refused = 0
            foreach ($run in $runs) {
                $result = Receive-Isolated $run
                $busy = @($result.Error | Where-Object { $_.FullyQualifiedErrorId -like 'GetFaceEmbeddingStoreInUse,*' })
                if ($busy) {
                    # Started while the other run held the store: refused before any upload, saying why.
                    "$($busy[0])" | Should -Match 'Another extraction run is storing model'
                    $busy[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
                    $result.Embeddings.Count | Should -Be 0
                    $refused++
                }
                else {
                    $result.Embeddings.Count | Should -Be 240
                    $result.Error | Should -BeNullOrEmpty
                }
            }
            $refused | Should -BeLessThan 2
            (Get-TestEndpointStats $ep).requests | Should -Be 240 -Because 'each image is uploaded once per model, whichever run does it'
            # After a refusal the rerun takes everything from the store.
            $rerun = Invoke-TestIsolated $embedScript @{ Files = $set; Url = $ep.Url; Store = $store; Model = @('dingo', 'eagle') }
            $rerun.Embeddings.Count | Should -Be 240
            (Get-TestEndpointStats $ep).requests | Should -Be 240

            foreach ($model in 'dingo', 'eagle') {
                $lines = Get-Content (Join-Path $store "$model/index.jsonl")
                foreach ($line in $lines) { { $line | ConvertFrom-Json } | Should -Not -Throw }
            }
            Get-ChildItem $store -Recurse -Filter *.tmp | Should -BeNullOrEmpty
            $imported = @(Import-FaceEmbedding -LiteralPath $store)
            $imported.Count | Should -Be 240
            $clean = Invoke-TestIsolated $embedScript @{ Files = $set[0..4]; Url = $ep.Url; Store = (New-StorePath) }
            foreach ($e in $clean.Embeddings) {
                ($imported | Where-Object { $_.Model -eq 'dingo' -and $_.RelativePath -eq $e.RelativePath }).Vector | Should -Be $e.Vector
            }
        }
    }

    Context 'the endpoint URL stays private' {
        It 'appears in no output, error, warning, verbose, debug, information or progress record, and in no file' {
            $ep = New-Endpoint -ServiceTimeMs 20 -FaultRate 0.3 -FaultKinds 500, drop, malformed, slow -SlowMs 2500 -RateLimit 10 -RateBurst 2
            $store = New-StorePath
            $set = @($files[0..9]) + @(New-TestCropSet -Path (Join-Path $root 'private') -Count 4 -JpegCount 2 -FirstIndex 700)
            $script = {
                param($Files, $Url, $Store)
                $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
                $Files | Get-FaceEmbedding -Model dingo, eagle-2 -ServerUrl $Url -OutputDirectory $Store -MaximumRetryCount 0 -TimeoutSec 1 -ThrottleLimit 2
                $Files | Get-FaceEmbedding -Model dingo -ServerUrl $Url -OutputDirectory $Store -MaximumRetryCount 0 -TimeoutSec 1
                Import-FaceEmbedding -LiteralPath $Store
            }.ToString()
            $runs = @(
                Invoke-TestIsolated $script @{ Files = $set; Url = $ep.Url; Store = $store }
                Invoke-TestIsolated $embedScript @{ Files = $files[1..3]; Url = $ep.Url; Store = $store; Model = 'ostrich' }
                Invoke-TestIsolated $embedScript @{ Files = $files[11..13]; Url = ($ep.Url -replace '127\.0\.0\.1:\d+', '127.0.0.1:9'); Store = $store; Extra = @{ MaximumRetryCount = 0 } }
            )

            # The runs met the cases that produce text: failures, warnings, verbose retries, progress, terminating errors.
            $runs[0].Embeddings.Count | Should -BeGreaterThan 20
            $runs[0].Error.Count | Should -BeGreaterThan 2
            $runs[0].Warning.Count | Should -BeGreaterThan 0
            $runs[0].Progress.Count | Should -BeGreaterThan 0
            @($runs[0].Progress.ActivityId | Sort-Object -Unique).Count | Should -Be 1
            $runs[0].Progress[-1].RecordType | Should -Be 'Completed'
            @($runs[0].Progress | Where-Object RecordType -NE 'Completed')[0].StatusDescription | Should -Match '^\d+ of \d+ extractions \(\d+ uploaded, \d+ from the store, \d+ failed\), [\d.]+/s$'
            $runs[1].Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingModelRejected*' -Because ($runs[1].Error + $runs[1].Verbose | Out-String)
            $runs[2].Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingEndpointUnreachable*' -Because ($runs[2].Error + $runs[2].Verbose | Out-String)

            $text = ConvertTo-TestRunText $runs
            $text.Length | Should -BeGreaterThan 10000
            $text | Should -Not -Match $ep.Token
            $text | Should -Not -Match ([regex]::Escape($ep.Authority))
            foreach ($file in Get-ChildItem $root -Recurse -File) {
                $content = [IO.File]::ReadAllText($file.FullName, [Text.Encoding]::Latin1)
                $content.Contains($ep.Token) | Should -BeFalse -Because $file.FullName
                $content.Contains($ep.Authority) | Should -BeFalse -Because $file.FullName
            }
        }
    }
}
