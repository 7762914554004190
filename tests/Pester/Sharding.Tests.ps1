# Sharded verification through the public cmdlets: the shards run as PowerShell jobs (examples/shards-jobs.ps1) and
# through the array-job worker as Kubernetes and Slurm start it, and their merge equals one run over every pair.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifest = Get-TestModuleManifest
    Import-Module $script:manifest -Force
    $script:root = Get-TestRepositoryRoot
    $script:examples = Join-Path $script:root 'examples'
    $core = Join-Path (Split-Path (Get-Module InsightFaceEval).Path) 'InsightFaceEval.Core.dll'
    Add-Type -Path $core

    # 30 people x 6 images as .npy files (numpy's format), 32 floats each: 16,110 pairs, 64x64 tiles cut into shards.
    $script:npy = Join-Path $TestDrive 'npy'
    $rng = [Random]::new(7)
    foreach ($id in 0..29) {
        $folder = Join-Path $script:npy ('p{0:D2}' -f $id)
        $null = New-Item -ItemType Directory -Path $folder -Force
        $centre = [double[]](1..32 | ForEach-Object { $rng.NextDouble() - 0.5 })
        foreach ($k in 0..5) {
            $v = [float[]]::new(32)
            for ($d = 0; $d -lt 32; $d++) { $v[$d] = $centre[$d] + ($rng.NextDouble() - 0.5) * 1.2 }
            [IO.File]::WriteAllBytes((Join-Path $folder "img$k.png.npy"), [InsightFaceEval.Embedding.NpyFile]::Serialize($v))
        }
    }

    function script:ConvertTo-ResultText($Results) {
        <# The serialized results without the time of measurement: what must be equal, bit for bit. #>
        $plain = [object[]]@($Results | ForEach-Object { $_.psobject.BaseObject })
        $json = [System.Text.Json.JsonSerializer]::Serialize($plain, [object[]], [System.Text.Json.JsonSerializerOptions]::new())
        $json -replace '"MeasuredAt":"[^"]*"', ''
    }

    $script:whole = @(Import-FaceEmbedding $script:npy -Model dingo | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 200 -Seed 3)
    $script:wholeText = ConvertTo-ResultText $script:whole
}

Describe 'Sharded Measure-FaceVerification' {
    It 'runs 3 shards as PowerShell jobs (examples/shards-jobs.ps1) and merges them into exactly one run''s result' {
        $states = Join-Path $TestDrive 'jobs'
        $merged = @(& (Join-Path $script:examples 'shards-jobs.ps1') -EmbeddingPath $script:npy -Model dingo -ShardCount 3 -StateDirectory $states -BootstrapSamples 200 -Seed 3 -ModulePath $script:manifest)
        $merged | Should -HaveCount 1
        $merged[0] | Should -BeOfType InsightFaceEval.VerificationResult
        $merged[0].Completed.TarAtFar[0].TarLower | Should -Not -BeNullOrEmpty
        @(Get-ChildItem -LiteralPath $states -Filter '*.state').Name | Sort-Object | Should -Be 'shard-1-of-3.state', 'shard-2-of-3.state', 'shard-3-of-3.state'
        ConvertTo-ResultText $merged | Should -BeExactly $script:wholeText
    }

    It 'takes k from JOB_COMPLETION_INDEX (Kubernetes) and SLURM_ARRAY_TASK_ID (Slurm) in the worker, and merges piped state files' {
        $worker = Join-Path $script:examples 'shard-worker.ps1'
        $saved = $env:JOB_COMPLETION_INDEX, $env:SLURM_ARRAY_TASK_ID
        try {
            $env:SLURM_ARRAY_TASK_ID = $null
            foreach ($index in 0, 1) {
                $env:JOB_COMPLETION_INDEX = "$index"
                $null = & $worker -EmbeddingPath $script:npy -Model dingo -ShardCount 4 -StateDirectory (Join-Path $TestDrive 'k8s') -BootstrapSamples 200 -Seed 3 -ModulePath $script:manifest
            }
            $env:JOB_COMPLETION_INDEX = $null
            foreach ($task in 3, 4) {
                $env:SLURM_ARRAY_TASK_ID = "$task"
                $null = & $worker -EmbeddingPath $script:npy -Model dingo -ShardCount 4 -StateDirectory (Join-Path $TestDrive 'k8s') -BootstrapSamples 200 -Seed 3 -ModulePath $script:manifest
            }
        }
        finally { $env:JOB_COMPLETION_INDEX, $env:SLURM_ARRAY_TASK_ID = $saved }
        $merged = @(Get-ChildItem -LiteralPath (Join-Path $TestDrive 'k8s') -Filter '*.state' | Measure-FaceVerification)
        ConvertTo-ResultText $merged | Should -BeExactly $script:wholeText
    }

    It 'runs the commands of docs/sharding.md and of help Example 7 as printed' {
        Import-Module (Join-Path $PSScriptRoot 'WindowsPowerShellSyntax.psm1') -Force
        $work = Join-Path $TestDrive 'docs work'
        $null = New-Item -ItemType Directory -Path $work -Force
        Copy-Item -LiteralPath $script:npy -Destination (Join-Path $work 'embeddings') -Recurse
        $helpWork = Join-Path $TestDrive 'help work'
        $null = New-Item -ItemType Directory -Path $helpWork -Force
        Copy-Item -LiteralPath $script:npy -Destination (Join-Path $helpWork 'store') -Recurse
        Copy-Item -LiteralPath $script:examples -Destination (Join-Path $work 'examples') -Recurse
        $blocks = @(Get-MarkdownPowerShellBlock -Path (Join-Path $script:root 'docs/sharding.md'))
        $blocks | Should -HaveCount 2
        $helpText = Get-Content -LiteralPath (Join-Path $script:root 'docs/en-US/Measure-FaceVerification.md') -Raw -Encoding UTF8
        $match = [regex]::Match($helpText, '(?s)### Example \d+: Every pair in four shards, then one merge\s*```powershell\r?\n(.*?)```')
        $match.Success | Should -BeTrue
        $help = Join-Path $TestDrive 'example5.md'
        "``````powershell`n$($match.Groups[1].Value)``````" | Set-Content -LiteralPath $help -Encoding UTF8
        $helpCode = (Get-MarkdownPowerShellBlock -Path $help)[0].Code
        # The jobs find the module by name, as an installed module is found.
        $savedPath = $env:PSModulePath
        $env:PSModulePath = (Split-Path (Split-Path $script:manifest)) + [IO.Path]::PathSeparator + $env:PSModulePath
        Push-Location -LiteralPath $work
        try {
            $jobs = @(& ([scriptblock]::Create($blocks[0].Code)))
            $byHand = @(& ([scriptblock]::Create($blocks[1].Code)))
            Set-Location -LiteralPath $helpWork
            $example = @(& ([scriptblock]::Create($helpCode)))
        }
        finally {
            Pop-Location
            $env:PSModulePath = $savedPath
        }
        $one = ConvertTo-ResultText @(Import-FaceEmbedding (Join-Path $work 'embeddings') -Model dingo | Measure-FaceVerification -Protocol AllPairs)
        $oneHelp = ConvertTo-ResultText @(Import-FaceEmbedding (Join-Path $helpWork 'store') -Model dingo | Measure-FaceVerification -Protocol AllPairs)
        @(Get-ChildItem -LiteralPath (Join-Path $work 'states') -Filter '*.state') | Should -HaveCount 4
        @(Get-ChildItem -LiteralPath (Join-Path $work 'by-hand') -Filter '*.state') | Should -HaveCount 4
        @(Get-ChildItem -LiteralPath (Join-Path $helpWork 'states') -Filter '*.state') | Should -HaveCount 4
        $example | Should -HaveCount 5
        $example[0] | Should -BeOfType System.IO.FileInfo
        # By hand: the four shard commands return their state files, then the merge its result.
        $byHand | Should -HaveCount 5
        $byHand[0] | Should -BeOfType System.IO.FileInfo
        foreach ($merged in $jobs, @($byHand[4])) {
            $merged | Should -HaveCount 1
            ConvertTo-ResultText $merged | Should -BeExactly $one
        }
        ConvertTo-ResultText @($example[4]) | Should -BeExactly $oneHelp
    }

    Context 'errors' {
        BeforeAll {
            $script:dir = Join-Path $TestDrive 'errors'
            $null = New-Item -ItemType Directory -Path $script:dir -Force
            $script:data = @(Import-FaceEmbedding $script:npy -Model dingo)
            foreach ($k in 1..3) {
                $null = $script:data | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 0 -Shard "$k/3" -StatePath (Join-Path $script:dir "s$k.state")
            }
            $null = $script:data | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 0 -Seed 9 -Shard '3/3' -StatePath (Join-Path $script:dir 'seed9.state')
        }

        It 'names a missing shard' {
            { Measure-FaceVerification -FromState (Join-Path $script:dir 's1.state'), (Join-Path $script:dir 's3.state') -ErrorAction Stop } | Should -Throw -ErrorId 'MeasureFaceVerificationShardStateMissing,InsightFaceEval.Commands.MeasureFaceVerificationCommand' -ExpectedMessage '*shard 2/3 is missing*'
        }

        It 'names a duplicated shard' {
            Copy-Item -LiteralPath (Join-Path $script:dir 's2.state') -Destination (Join-Path $TestDrive 'copy.state')
            $thrown = { Measure-FaceVerification -FromState (Join-Path $script:dir 's?.state'), (Join-Path $TestDrive 'copy.state') } | Should -Throw -ErrorId 'MeasureFaceVerificationShardStateDuplicate,InsightFaceEval.Commands.MeasureFaceVerificationCommand' -PassThru
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.Exception.Message | Should -BeLike '*Shard 2/3 is given 2 times*copy.state*'
        }

        It 'names a shard made with other settings, as InvalidData with the file as target' {
            $foreign = Join-Path $script:dir 'seed9.state'
            $thrown = { Measure-FaceVerification -FromState (Join-Path $script:dir 's1.state'), (Join-Path $script:dir 's2.state'), $foreign } | Should -Throw -ErrorId 'MeasureFaceVerificationShardStateForeign,InsightFaceEval.Commands.MeasureFaceVerificationCommand' -PassThru
            $thrown.CategoryInfo.Category | Should -Be 'InvalidData'
            $thrown.TargetObject | Should -Be $foreign
            $thrown.Exception.Message | Should -BeLike '*seed9.state*other settings*'
        }

        It 'refuses a shard that is not k/N, and a shard without a state file' {
            { $script:data | Measure-FaceVerification -Protocol AllPairs -Shard '4/3' -StatePath (Join-Path $TestDrive 'x.state') } | Should -Throw -ErrorId 'MeasureFaceVerificationInvalidShard,InsightFaceEval.Commands.MeasureFaceVerificationCommand'
            { $script:data | Measure-FaceVerification -Protocol AllPairs -Shard '1/3' } | Should -Throw -ErrorId 'MeasureFaceVerificationShardWithoutState,InsightFaceEval.Commands.MeasureFaceVerificationCommand'
            Test-Path -LiteralPath (Join-Path $TestDrive 'x.state') | Should -BeFalse
        }
    }

    Context 'the examples that need a cluster' {
        It 'parses <Name>, which runs a shard with parameters that exist' -ForEach @(
            @{ Name = 'shards-remoting.ps1' }
            @{ Name = 'shards-kubernetes.yaml' }
            @{ Name = 'shards-slurm.sh' }
        ) {
            $path = Join-Path $script:examples $Name
            $workerAst = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path $script:examples 'shard-worker.ps1'), [ref] $null, [ref] $null)
            $workerParameters = @($workerAst.ParamBlock.Parameters | ForEach-Object { $_.Name.VariablePath.UserPath })
            $text = Get-Content -LiteralPath $path -Raw -Encoding UTF8
            switch -Wildcard ($Name) {
                '*.ps1' {
                    $errors = $null
                    $ast = [System.Management.Automation.Language.Parser]::ParseFile($path, [ref] $null, [ref] $errors)
                    $errors | Should -BeNullOrEmpty
                    $invoke = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -eq 'Invoke-Command' }, $true)
                    $invoke | Should -HaveCount 1
                    $text | Should -Match 'AsJob\s*=\s*\$true'
                    $text | Should -Match 'ComputerName\s*=\s*\$ComputerName\[\$i\]'
                    $text | Should -Match '-Shard "\$Index/\$Count"'
                }
                '*.yaml' {
                    $text | Should -Match '(?m)^  completionMode: Indexed$'
                    $text | Should -Match '(?m)^  completions: 8$'
                    $text | Should -Match '(?m)^            - "8"$'
                    $used = [regex]::Matches($text, '(?m)^            - -(\w+)$') | ForEach-Object { $_.Groups[1].Value } | Where-Object { $_ -notin 'NoProfile', 'File' }
                    $used | Should -Not -BeNullOrEmpty
                    foreach ($p in $used) { $workerParameters | Should -Contain $p }
                }
                '*.sh' {
                    $text | Should -Match '(?m)^#SBATCH --array=1-8$'
                    $used = [regex]::Matches(($text -split "`n" | Where-Object { $_ -match 'shard-worker\.ps1' -and $_ -notmatch '^#' }), ' -(\w+)') | ForEach-Object { $_.Groups[1].Value } | Where-Object { $_ -notin 'NoProfile', 'File' }
                    $used | Should -Contain 'ShardCount'
                    foreach ($p in $used) { $workerParameters | Should -Contain $p }
                    $bash = Get-Command bash -ErrorAction SilentlyContinue
                    if ($bash) {
                        & $bash.Source -n $path
                        $LASTEXITCODE | Should -Be 0
                    }
                }
            }
        }
    }
}
