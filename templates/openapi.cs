<?cs # openapi.cs: the OpenAPI 3.1 description of /api/v1, served as JSON at /api/v1/openapi.json (app/page_api_openapi.c); tests/check_api.c validates it and holds it against the route table. Everything between the def lines is plain JSON. ?><?cs def:content() ?>
{
 "openapi": "3.1.0",
 "info": {
  "title": "llmwatch API",
  "version": "1",
  "description": "The measurements and alerts of this installation, as JSON. Authenticate with `Authorization: Bearer TOKEN` (tokens are made by admins on /admin/tokens or with `llmwatch user token`; a token has at most its user's role) or a browser session. Errors are `{\"error\":{\"code\",\"message\",\"field\"}}` with the HTTP status. Lists are `{\"data\":[...],\"next_cursor\"}`: pass `cursor` for the next page. Ranges are `from` (included) to `to` (excluded)."
 },
 "servers": [
  {
   "url": "/"
  }
 ],
 "security": [
  {
   "bearer": []
  },
  {
   "session": []
  }
 ],
 "tags": [
  {
   "name": "models"
  },
  {
   "name": "probes"
  },
  {
   "name": "alerts"
  },
  {
   "name": "rules"
  },
  {
   "name": "reports"
  },
  {
   "name": "usage"
  },
  {
   "name": "metrics"
  },
  {
   "name": "meta"
  }
 ],
 "paths": {
  "/api/v1/models": {
   "get": {
    "summary": "Monitored models with their latest probe and last hour",
    "operationId": "listModels",
    "tags": [
     "models"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "models"
         ],
         "properties": {
          "models": {
           "type": "array",
           "items": {
            "$ref": "#/components/schemas/ModelOverview"
           }
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/models/{id}/measures": {
   "get": {
    "summary": "Measures of a model over a range, from the rollups",
    "operationId": "getMeasures",
    "tags": [
     "models"
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     },
     {
      "$ref": "#/components/parameters/from"
     },
     {
      "$ref": "#/components/parameters/to"
     },
     {
      "name": "step",
      "in": "query",
      "description": "Bucket length: whole 5 minutes (300, 5m, 1h, 1d). Without it, one bucket for the whole range.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Measures"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/probes": {
   "get": {
    "summary": "Raw probes, newest first, paged",
    "operationId": "listProbes",
    "tags": [
     "probes"
    ],
    "parameters": [
     {
      "$ref": "#/components/parameters/from"
     },
     {
      "$ref": "#/components/parameters/to"
     },
     {
      "$ref": "#/components/parameters/limit"
     },
     {
      "$ref": "#/components/parameters/cursor"
     },
     {
      "name": "model",
      "in": "query",
      "description": "A model's name",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ProbePage"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/alerts": {
   "get": {
    "summary": "Alerts started in a range, newest first, paged",
    "operationId": "listAlerts",
    "tags": [
     "alerts"
    ],
    "parameters": [
     {
      "$ref": "#/components/parameters/from"
     },
     {
      "$ref": "#/components/parameters/to"
     },
     {
      "$ref": "#/components/parameters/limit"
     },
     {
      "$ref": "#/components/parameters/cursor"
     },
     {
      "name": "state",
      "in": "query",
      "schema": {
       "type": "string",
       "enum": [
        "pending",
        "firing",
        "resolved"
       ]
      }
     },
     {
      "name": "severity",
      "in": "query",
      "schema": {
       "type": "string",
       "enum": [
        "critical",
        "warning",
        "info"
       ]
      }
     },
     {
      "name": "model",
      "in": "query",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/AlertPage"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/alerts/{id}": {
   "get": {
    "summary": "One alert with its history and notifications",
    "operationId": "getAlert",
    "tags": [
     "alerts"
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/AlertDetail"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/rules": {
   "get": {
    "summary": "The live alert rules",
    "operationId": "listRules",
    "tags": [
     "rules"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/RuleList"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "post": {
    "summary": "Create a rule (editors)",
    "operationId": "createRule",
    "tags": [
     "rules"
    ],
    "description": "The body takes the keys of a rule in monitoring_config.yaml (name, condition, type, metric, threshold, window, for, cooldown, severity, models, environments, runbook...). A session needs the X-CSRF-Token header; a bearer token does not.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "name"
        ],
        "properties": {
         "name": {
          "type": "string"
         }
        },
        "additionalProperties": true
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Created",
      "headers": {
       "Location": {
        "schema": {
         "type": "string"
        }
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "rule",
          "url"
         ],
         "properties": {
          "rule": {
           "$ref": "#/components/schemas/Rule"
          },
          "url": {
           "type": "string"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "422": {
      "$ref": "#/components/responses/Invalid"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/rules/{id}": {
   "get": {
    "summary": "One live rule",
    "operationId": "getRule",
    "tags": [
     "rules"
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Rule"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/silences": {
   "get": {
    "summary": "Silences and maintenance windows",
    "operationId": "listSilences",
    "tags": [
     "alerts"
    ],
    "parameters": [
     {
      "name": "active",
      "in": "query",
      "description": "true: only those in force",
      "schema": {
       "type": "string",
       "enum": [
        "true",
        "false"
       ]
      }
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SilenceList"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/sla": {
   "get": {
    "summary": "SLA per model over a range (default: the last 30 days); compliance role",
    "operationId": "getSla",
    "tags": [
     "reports"
    ],
    "parameters": [
     {
      "$ref": "#/components/parameters/from"
     },
     {
      "$ref": "#/components/parameters/to"
     }
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Sla"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/budgets": {
   "get": {
    "summary": "Budgets with their spend in the current period",
    "operationId": "listBudgets",
    "tags": [
     "reports"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/BudgetList"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/usage": {
   "post": {
    "summary": "Production usage of your applications (editors)",
    "operationId": "postUsage",
    "tags": [
     "usage"
    ],
    "description": "A batch of usage rows checked whole: one bad row and nothing is stored. A row whose idempotency_key was stored before is skipped, so a retried batch adds nothing. Budgets and /costs count these rows beside the probes.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "oneOf": [
         {
          "type": "array",
          "minItems": 1,
          "items": {
           "$ref": "#/components/schemas/UsageRow"
          }
         },
         {
          "type": "object",
          "required": [
           "usage"
          ],
          "properties": {
           "usage": {
            "type": "array",
            "minItems": 1,
            "items": {
             "$ref": "#/components/schemas/UsageRow"
            }
           }
          }
         }
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Nothing new: every row's idempotency key was seen before",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/BatchResult"
        }
       }
      }
     },
     "201": {
      "description": "Stored",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/BatchResult"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "422": {
      "description": "Some rows are not valid: nothing was stored",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/InvalidRows"
        }
       }
      }
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/metrics": {
   "post": {
    "summary": "Values of custom metrics (editors)",
    "operationId": "postCustomMetrics",
    "tags": [
     "metrics"
    ],
    "description": "Named values per model (custom.NAME in rules), checked whole like usage; an idempotency_key makes a retry harmless.",
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "oneOf": [
         {
          "type": "array",
          "minItems": 1,
          "items": {
           "$ref": "#/components/schemas/CustomMetricRow"
          }
         },
         {
          "type": "object",
          "required": [
           "metrics"
          ],
          "properties": {
           "metrics": {
            "type": "array",
            "minItems": 1,
            "items": {
             "$ref": "#/components/schemas/CustomMetricRow"
            }
           }
          }
         }
        ]
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Nothing new: every row's idempotency key was seen before",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/BatchResult"
        }
       }
      }
     },
     "201": {
      "description": "Stored",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/BatchResult"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "422": {
      "description": "Some rows are not valid: nothing was stored",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/InvalidRows"
        }
       }
      }
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/openapi.json": {
   "get": {
    "summary": "This document",
    "operationId": "getOpenApi",
    "tags": [
     "meta"
    ],
    "security": [],
    "responses": {
     "200": {
      "description": "The OpenAPI 3.1 document",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     }
    }
   }
  }
 },
 "components": {
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer"
   },
   "session": {
    "type": "apiKey",
    "in": "cookie",
    "name": "lw_session"
   }
  },
  "parameters": {
   "from": {
    "name": "from",
    "in": "query",
    "description": "Start of the range (included): RFC 3339, 'YYYY-MM-DD HH:MM' (UTC) or Unix seconds. Default: the range's default span before `to`.",
    "schema": {
     "type": "string"
    }
   },
   "to": {
    "name": "to",
    "in": "query",
    "description": "End of the range (excluded), same forms. Default: now.",
    "schema": {
     "type": "string"
    }
   },
   "limit": {
    "name": "limit",
    "in": "query",
    "description": "Rows per page",
    "schema": {
     "type": "integer",
     "minimum": 1,
     "maximum": 1000,
     "default": 100
    }
   },
   "cursor": {
    "name": "cursor",
    "in": "query",
    "description": "next_cursor of the previous page",
    "schema": {
     "type": "string"
    }
   }
  },
  "responses": {
   "Error": {
    "description": "An error",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Invalid": {
    "description": "Field errors (each under errors[])",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "required": [
     "error"
    ],
    "properties": {
     "error": {
      "type": "object",
      "required": [
       "code",
       "message",
       "field"
      ],
      "properties": {
       "code": {
        "type": "string",
        "examples": [
         "bad_parameter",
         "unknown_field",
         "invalid_json",
         "unauthorized",
         "not_found"
        ]
       },
       "message": {
        "type": "string"
       },
       "field": {
        "type": [
         "string",
         "null"
        ],
        "description": "The parameter or body member at fault"
       }
      }
     },
     "status": {
      "type": "integer"
     },
     "errors": {
      "type": "array",
      "items": {
       "type": "object"
      }
     }
    }
   },
   "ModelOverview": {
    "type": "object",
    "required": [
     "id",
     "name"
    ],
    "properties": {
     "id": {
      "type": "integer"
     },
     "name": {
      "type": "string"
     },
     "environment": {
      "type": "string"
     },
     "provider": {
      "type": "string"
     },
     "model": {
      "type": "string"
     },
     "priority": {
      "type": "string"
     },
     "sla_target_ms": {
      "type": [
       "integer",
       "null"
      ]
     },
     "last_probe": {
      "type": [
       "object",
       "null"
      ]
     },
     "last_hour": {
      "type": "object"
     }
    }
   },
   "Measures": {
    "type": "object",
    "required": [
     "model",
     "from",
     "to",
     "data"
    ],
    "properties": {
     "model": {
      "type": "object"
     },
     "from": {
      "type": "string",
      "format": "date-time"
     },
     "to": {
      "type": "string",
      "format": "date-time"
     },
     "step_s": {
      "type": [
       "integer",
       "null"
      ]
     },
     "data": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "start": {
         "type": "string",
         "format": "date-time"
        },
        "probes": {
         "type": "integer"
        },
        "errors": {
         "type": "integer"
        },
        "success_rate": {
         "type": [
          "number",
          "null"
         ]
        },
        "refusals": {
         "type": "integer"
        },
        "blocked": {
         "type": "integer"
        },
        "tool_calls": {
         "type": "integer"
        },
        "error_classes": {
         "type": [
          "object",
          "null"
         ],
         "additionalProperties": {
          "type": "integer"
         }
        },
        "finish_reasons": {
         "type": [
          "object",
          "null"
         ],
         "additionalProperties": {
          "type": "integer"
         }
        },
        "latency_avg_ms": {
         "type": [
          "number",
          "null"
         ]
        },
        "latency_p50_ms": {
         "type": [
          "number",
          "null"
         ]
        },
        "latency_p95_ms": {
         "type": [
          "number",
          "null"
         ]
        },
        "latency_p99_ms": {
         "type": [
          "number",
          "null"
         ]
        },
        "ttft_avg_ms": {
         "type": [
          "number",
          "null"
         ]
        },
        "ttft_p95_ms": {
         "type": [
          "number",
          "null"
         ]
        },
        "first_output_avg_ms": {
         "type": [
          "number",
          "null"
         ]
        },
        "decode_tps_avg": {
         "type": [
          "number",
          "null"
         ]
        },
        "input_tokens": {
         "type": "integer"
        },
        "output_tokens": {
         "type": "integer"
        },
        "reasoning_tokens": {
         "type": "integer"
        },
        "cost_usd": {
         "type": [
          "number",
          "null"
         ]
        },
        "quality_avg": {
         "type": [
          "number",
          "null"
         ]
        }
       }
      }
     }
    }
   },
   "Probe": {
    "type": "object",
    "required": [
     "id",
     "ts",
     "model",
     "ok"
    ],
    "properties": {
     "id": {
      "type": "integer"
     },
     "ts": {
      "type": "string",
      "format": "date-time"
     },
     "model": {
      "type": "string"
     },
     "environment": {
      "type": "string"
     },
     "case_id": {
      "type": [
       "string",
       "null"
      ]
     },
     "ok": {
      "type": "boolean"
     },
     "outcome": {
      "type": [
       "string",
       "null"
      ],
      "enum": [
       "text",
       "tool_call",
       "refusal",
       "blocked",
       null
      ]
     },
     "error_class": {
      "type": [
       "string",
       "null"
      ]
     },
     "http_status": {
      "type": [
       "integer",
       "null"
      ]
     },
     "ttft_ms": {
      "type": [
       "number",
       "null"
      ]
     },
     "first_output_ms": {
      "type": [
       "number",
       "null"
      ]
     },
     "total_ms": {
      "type": [
       "number",
       "null"
      ]
     },
     "input_tokens": {
      "type": [
       "integer",
       "null"
      ]
     },
     "output_tokens": {
      "type": [
       "integer",
       "null"
      ]
     },
     "reasoning_tokens": {
      "type": [
       "integer",
       "null"
      ]
     },
     "tokens_estimated": {
      "type": "boolean"
     },
     "decode_tps": {
      "type": [
       "number",
       "null"
      ]
     },
     "cost_usd": {
      "type": [
       "number",
       "null"
      ]
     },
     "quality_score": {
      "type": [
       "number",
       "null"
      ]
     },
     "finish_reason": {
      "type": [
       "string",
       "null"
      ]
     },
     "finish_reason_raw": {
      "type": [
       "string",
       "null"
      ]
     },
     "stream_end": {
      "type": [
       "string",
       "null"
      ]
     },
     "model_version": {
      "type": [
       "string",
       "null"
      ]
     },
     "cycle_id": {
      "type": [
       "integer",
       "null"
      ]
     }
    }
   },
   "ProbePage": {
    "type": "object",
    "required": [
     "data",
     "next_cursor"
    ],
    "properties": {
     "data": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Probe"
      }
     },
     "next_cursor": {
      "type": [
       "string",
       "null"
      ],
      "description": "Pass as ?cursor= for the next page; null on the last page"
     }
    }
   },
   "Alert": {
    "type": "object",
    "required": [
     "id",
     "rule",
     "state"
    ],
    "properties": {
     "id": {
      "type": "integer"
     },
     "rule": {
      "type": "string"
     },
     "rule_id": {
      "type": "integer"
     },
     "model": {
      "type": [
       "string",
       "null"
      ]
     },
     "environment": {
      "type": [
       "string",
       "null"
      ]
     },
     "severity": {
      "type": "string"
     },
     "state": {
      "type": "string",
      "enum": [
       "pending",
       "firing",
       "resolved"
      ]
     },
     "started_at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "fired_at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "resolved_at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "value": {
      "type": [
       "number",
       "null"
      ]
     },
     "threshold": {
      "type": [
       "number",
       "null"
      ]
     },
     "summary": {
      "type": [
       "string",
       "null"
      ]
     },
     "acknowledged_at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "false_positive": {
      "type": "boolean"
     }
    }
   },
   "AlertPage": {
    "type": "object",
    "required": [
     "data",
     "next_cursor"
    ],
    "properties": {
     "data": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Alert"
      }
     },
     "next_cursor": {
      "type": [
       "string",
       "null"
      ],
      "description": "Pass as ?cursor= for the next page; null on the last page"
     }
    }
   },
   "AlertDetail": {
    "allOf": [
     {
      "$ref": "#/components/schemas/Alert"
     },
     {
      "type": "object",
      "required": [
       "events",
       "notifications"
      ],
      "properties": {
       "events": {
        "type": "array",
        "items": {
         "type": "object",
         "properties": {
          "at": {
           "type": [
            "string",
            "null"
           ],
           "format": "date-time"
          },
          "from": {
           "type": [
            "string",
            "null"
           ]
          },
          "to": {
           "type": "string"
          },
          "value": {
           "type": [
            "number",
            "null"
           ]
          },
          "message": {
           "type": [
            "string",
            "null"
           ]
          }
         }
        }
       },
       "notifications": {
        "type": "array",
        "items": {
         "type": "object"
        }
       }
      }
     }
    ]
   },
   "Rule": {
    "type": "object",
    "required": [
     "id",
     "name",
     "kind"
    ],
    "properties": {
     "id": {
      "type": "integer"
     },
     "name": {
      "type": "string"
     },
     "kind": {
      "type": "string"
     },
     "expression": {
      "type": [
       "string",
       "null"
      ]
     },
     "params": {
      "type": "object"
     },
     "severity": {
      "type": "string"
     },
     "for_s": {
      "type": "integer"
     },
     "cooldown_s": {
      "type": "integer"
     },
     "enabled": {
      "type": "boolean"
     },
     "source": {
      "type": "string"
     },
     "open_alerts": {
      "type": "integer"
     }
    },
    "additionalProperties": true
   },
   "RuleList": {
    "type": "object",
    "required": [
     "data"
    ],
    "properties": {
     "data": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Rule"
      }
     },
     "next_cursor": {
      "type": "null"
     }
    }
   },
   "Silence": {
    "type": "object",
    "required": [
     "id",
     "matchers"
    ],
    "properties": {
     "id": {
      "type": "integer"
     },
     "matchers": {
      "type": "object"
     },
     "starts_at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "ends_at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "recurrence": {
      "type": [
       "string",
       "null"
      ]
     },
     "duration_s": {
      "type": [
       "integer",
       "null"
      ]
     },
     "comment": {
      "type": "string"
     },
     "expired_at": {
      "type": [
       "string",
       "null"
      ],
      "format": "date-time"
     },
     "in_force": {
      "type": "boolean"
     }
    }
   },
   "SilenceList": {
    "type": "object",
    "required": [
     "data"
    ],
    "properties": {
     "data": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Silence"
      }
     },
     "next_cursor": {
      "type": "null"
     }
    }
   },
   "SlaRow": {
    "type": "object",
    "required": [
     "id",
     "name",
     "compliance"
    ],
    "properties": {
     "id": {
      "type": "integer"
     },
     "name": {
      "type": "string"
     },
     "environment": {
      "type": "string"
     },
     "sla_target_ms": {
      "type": [
       "integer",
       "null"
      ]
     },
     "probes": {
      "type": "integer"
     },
     "ok_count": {
      "type": "integer"
     },
     "p95_ms": {
      "type": [
       "number",
       "null"
      ]
     },
     "availability_pct": {
      "type": [
       "number",
       "null"
      ]
     },
     "availability_target_pct": {
      "type": [
       "number",
       "null"
      ]
     },
     "availability_ok": {
      "type": "boolean"
     },
     "latency_ok": {
      "type": "boolean"
     },
     "compliance": {
      "type": "string",
      "enum": [
       "pass",
       "fail",
       "no data"
      ]
     }
    }
   },
   "Sla": {
    "type": "object",
    "required": [
     "from",
     "to",
     "data"
    ],
    "properties": {
     "from": {
      "type": "string",
      "format": "date-time"
     },
     "to": {
      "type": "string",
      "format": "date-time"
     },
     "data": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/SlaRow"
      }
     },
     "next_cursor": {
      "type": "null"
     }
    }
   },
   "Budget": {
    "type": "object",
    "required": [
     "id",
     "name",
     "amount_usd",
     "spent_usd"
    ],
    "properties": {
     "id": {
      "type": "integer"
     },
     "name": {
      "type": "string"
     },
     "model": {
      "type": [
       "string",
       "null"
      ]
     },
     "environment": {
      "type": [
       "string",
       "null"
      ]
     },
     "period": {
      "type": "string",
      "enum": [
       "daily",
       "weekly",
       "monthly"
      ]
     },
     "amount_usd": {
      "type": "number"
     },
     "spent_usd": {
      "type": "number"
     },
     "used_pct": {
      "type": [
       "number",
       "null"
      ]
     },
     "thresholds_pct": {
      "type": "array",
      "items": {
       "type": "integer"
      }
     },
     "provider": {
      "type": [
       "string",
       "null"
      ]
     },
     "time_zone": {
      "type": "string"
     },
     "projected_usd": {
      "type": [
       "number",
       "null"
      ],
      "description": "The spend at the end of the period at the recent pace (null early in a period)"
     },
     "period_start": {
      "type": "string",
      "format": "date-time"
     },
     "period_end": {
      "type": "string",
      "format": "date-time"
     }
    }
   },
   "UsageRow": {
    "type": "object",
    "required": [
     "model"
    ],
    "properties": {
     "time": {
      "type": "string",
      "format": "date-time"
     },
     "model": {
      "type": "string"
     },
     "environment": {
      "type": "string"
     },
     "application": {
      "type": "string"
     },
     "input_tokens": {
      "type": "integer",
      "minimum": 0
     },
     "output_tokens": {
      "type": "integer",
      "minimum": 0
     },
     "requests": {
      "type": "integer",
      "minimum": 1
     },
     "cost": {
      "type": "number",
      "minimum": 0
     },
     "ok": {
      "type": "boolean"
     },
     "idempotency_key": {
      "type": "string"
     }
    }
   },
   "CustomMetricRow": {
    "type": "object",
    "required": [
     "model",
     "name",
     "value"
    ],
    "properties": {
     "time": {
      "type": "string",
      "format": "date-time"
     },
     "model": {
      "type": "string"
     },
     "environment": {
      "type": "string"
     },
     "name": {
      "type": "string",
      "pattern": "^[a-z][a-z0-9_]*$",
      "maxLength": 63
     },
     "value": {
      "type": "number"
     },
     "idempotency_key": {
      "type": "string"
     }
    }
   },
   "BatchResult": {
    "type": "object",
    "required": [
     "stored",
     "known"
    ],
    "properties": {
     "rows": {
      "type": "integer"
     },
     "values": {
      "type": "integer"
     },
     "stored": {
      "type": "integer"
     },
     "known": {
      "type": "integer",
      "description": "rows skipped: their key was stored before"
     }
    }
   },
   "InvalidRows": {
    "type": "object",
    "required": [
     "error",
     "errors"
    ],
    "properties": {
     "error": {
      "type": "object",
      "required": [
       "code",
       "message"
      ],
      "properties": {
       "code": {
        "type": "string",
        "const": "invalid_rows"
       },
       "message": {
        "type": "string"
       },
       "field": {
        "type": [
         "string",
         "null"
        ]
       }
      }
     },
     "errors": {
      "type": "array",
      "items": {
       "type": "object",
       "required": [
        "index",
        "field",
        "message"
       ],
       "properties": {
        "index": {
         "type": "integer",
         "minimum": 0
        },
        "field": {
         "type": "string"
        },
        "message": {
         "type": "string"
        }
       }
      }
     }
    }
   },
   "BudgetList": {
    "type": "object",
    "required": [
     "data"
    ],
    "properties": {
     "data": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Budget"
      }
     },
     "next_cursor": {
      "type": "null"
     }
    }
   }
  }
 }
}
<?cs /def ?>
